package e2e

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// rootAccountID learns the root account's ID the way a client can: the
// OwnerId of a VPC it creates.
func rootAccountID(t *testing.T, s *server) int64 {
	t.Helper()
	vc := vpcSDK(t, s)
	create := vpc.CreateCreateVpcRequest()
	create.CidrBlock, create.VpcName = "10.0.0.0/16", unique("e2e-owner")
	created, err := vc.CreateVpc(create)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	cleanUp(t, vc, created.VpcId)
	return describeVpc(t, vc, created.VpcId).OwnerId
}

// TestOwnerParametersMustNameTheCallersOwnAccount drives guide 1.4's
// OwnerId / OwnerAccount / ResourceOwnerId / ResourceOwnerAccount with the
// Go SDK's own request fields, and the guide's codes for them (1.18.4).
func TestOwnerParametersMustNameTheCallersOwnAccount(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	own := rootAccountID(t, s)
	describe := func(edit func(r *ecs.DescribeInstancesRequest)) error {
		r := ecs.CreateDescribeInstancesRequest()
		r.RegionId = "cn-hangzhou"
		edit(r)
		_, err := c.DescribeInstances(r)
		return err
	}
	ownID, otherID := requests.NewInteger64(own), requests.NewInteger64(own+1)
	if err := describe(func(r *ecs.DescribeInstancesRequest) {
		r.OwnerId, r.ResourceOwnerId, r.ResourceOwnerAccount = ownID, ownID, "root"
	}); err != nil {
		t.Fatalf("own account in every owner parameter: %v", err)
	}
	if err := describe(func(r *ecs.DescribeInstancesRequest) { r.OwnerAccount = "root" }); err != nil {
		t.Fatalf("own OwnerAccount: %v", err)
	}
	wantServerError(t, "another OwnerId", describe(func(r *ecs.DescribeInstancesRequest) { r.OwnerId = otherID }),
		"InvalidOwnerId", 400)
	wantServerError(t, "OwnerId with OwnerAccount", describe(func(r *ecs.DescribeInstancesRequest) {
		r.OwnerId, r.OwnerAccount = ownID, "root"
	}), "InvalidOwner", 400)
	wantServerError(t, "an OwnerAccount no account has", describe(func(r *ecs.DescribeInstancesRequest) { r.OwnerAccount = "nobody" }),
		"InvalidParameter.OwnerAccount", 403)
	wantServerError(t, "a ResourceOwnerAccount no account has",
		describe(func(r *ecs.DescribeInstancesRequest) { r.ResourceOwnerAccount = "nobody" }),
		"InvalidParameter.ResourceOwnerAccount", 403)
	err := describe(func(r *ecs.DescribeInstancesRequest) { r.ResourceOwnerId = otherID })
	wantServerError(t, "another account's resources", err, "Forbidden.RAM", 403)
	if msg := serverError(t, err).Message(); msg != "User not authorized to operate the specified resource, or this API doesn't support RAM." {
		t.Fatalf("Forbidden.RAM message %q", msg)
	}
	wantServerError(t, "a malformed ResourceOwnerId",
		describe(func(r *ecs.DescribeInstancesRequest) { r.ResourceOwnerId = requests.Integer("x1") }),
		"InvalidParameter", 400)
}
