package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// sameAsMissing calls do with another account's real ID and with an ID that
// exists nowhere, and fails unless both answers are the same: the same error
// (code, HTTP status and message, once each ID is replaced by a placeholder),
// or success for both (DeleteDisk of a missing disk succeeds, guide 1.7.10).
func sameAsMissing(t *testing.T, what, realID, missingID string, do func(id string) error) {
	t.Helper()
	errReal, errMissing := do(realID), do(missingID)
	if errReal == nil && errMissing == nil {
		return
	}
	if errReal == nil {
		t.Fatalf("%s with another account's %s succeeded, with a missing one: %v", what, realID, errMissing)
	}
	if errMissing == nil {
		t.Fatalf("%s with the missing %s succeeded, with another account's: %v", what, missingID, errReal)
	}
	a, b := serverError(t, errReal), serverError(t, errMissing)
	msgA := strings.ReplaceAll(a.Message(), realID, "ID")
	msgB := strings.ReplaceAll(b.Message(), missingID, "ID")
	if a.ErrorCode() != b.ErrorCode() || a.HttpStatus() != b.HttpStatus() || msgA != msgB {
		t.Fatalf("%s: another account's ID answers %d %s %q, a missing one %d %s %q", what,
			a.HttpStatus(), a.ErrorCode(), msgA, b.HttpStatus(), b.ErrorCode(), msgB)
	}
}

// TestAccountCreatedWhileServingSeesNothingOfAnotherAccount creates a tenant
// with `ecsd admin account create` while the server runs, and checks that it
// cannot see, stop, change or use any of the root account's resources —
// instances, disks, security groups, VPCs and VSwitches, key pairs — each
// answering exactly as an ID that does not exist; then `ecsd admin account
// disable` stops its key at once, and enable brings it back.
func TestAccountCreatedWhileServingSeesNothingOfAnotherAccount(t *testing.T) {
	s := startServer(t, serverOptions{})
	a := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	inst := launchInstance(t, s, a)
	got := instanceByID(t, a, inst)
	sg, vsw, vpcID := got.SecurityGroupIds.SecurityGroupId[0], got.VpcAttributes.VSwitchId, got.VpcAttributes.VpcId
	disksReq := ecs.CreateDescribeDisksRequest()
	disksReq.InstanceId = inst
	disks, err := a.DescribeDisks(disksReq)
	if err != nil || len(disks.Disks.Disk) == 0 {
		t.Fatalf("DescribeDisks of A's instance: %+v, %v", disks, err)
	}
	disk := disks.Disks.Disk[0].DiskId
	line, _ := ed25519Line(t)
	keyPair := keyPairPrefix(t, s) + "a"
	imp := ecs.CreateImportKeyPairRequest()
	imp.KeyPairName, imp.PublicKeyBody = keyPair, line
	if _, err := a.ImportKeyPair(imp); err != nil {
		t.Fatalf("ImportKeyPair: %v", err)
	}

	tenant := createAccount(t, s, "tenant")
	bCred := credentials.NewAccessKeyCredential(tenant.AccessKeyId, tenant.AccessKeySecret)
	b := ecsWith(t, s, bCred)
	if got := accountID(t, s, bCred); got == accountID(t, s, rootCred()) || got == "" {
		t.Fatalf("the new account's key acts as account %s", got)
	}
	if err := describeRegions(b); err != nil {
		t.Fatalf("the new account's key does not work: %v", err)
	}

	t.Run("Instances", func(t *testing.T) {
		list := ecs.CreateDescribeInstancesRequest()
		list.InstanceIds = diskIDs(t, inst)
		if resp, err := b.DescribeInstances(list); err != nil || len(resp.Instances.Instance) != 0 || resp.TotalCount != 0 {
			t.Fatalf("B's DescribeInstances of A's instance = %+v, %v", resp, err)
		}
		all := ecs.CreateDescribeInstancesRequest()
		if resp, err := b.DescribeInstances(all); err != nil || resp.TotalCount != 0 {
			t.Fatalf("B's DescribeInstances = %+v, %v", resp, err)
		}
		missing := "i-bp1nonexistent000000"
		sameAsMissing(t, "DescribeInstanceAttribute", inst, missing, func(id string) error {
			req := ecs.CreateDescribeInstanceAttributeRequest()
			req.InstanceId = id
			_, err := b.DescribeInstanceAttribute(req)
			return err
		})
		sameAsMissing(t, "StopInstance", inst, missing, func(id string) error {
			req := ecs.CreateStopInstanceRequest()
			req.InstanceId = id
			_, err := b.StopInstance(req)
			return err
		})
		sameAsMissing(t, "RebootInstance", inst, missing, func(id string) error {
			req := ecs.CreateRebootInstanceRequest()
			req.InstanceId = id
			_, err := b.RebootInstance(req)
			return err
		})
		sameAsMissing(t, "ModifyInstanceAttribute", inst, missing, func(id string) error {
			req := ecs.CreateModifyInstanceAttributeRequest()
			req.InstanceId, req.InstanceName = id, "stolen"
			_, err := b.ModifyInstanceAttribute(req)
			return err
		})
		sameAsMissing(t, "DeleteInstance", inst, missing, func(id string) error {
			req := ecs.CreateDeleteInstanceRequest()
			req.InstanceId = id
			_, err := b.DeleteInstance(req)
			return err
		})
		sameAsMissing(t, "AttachInstanceRamRole", inst, missing, func(id string) error {
			req := ecs.CreateAttachInstanceRamRoleRequest()
			req.RamRoleName, req.InstanceIds = "AnyRole", diskIDs(t, id)
			_, err := b.AttachInstanceRamRole(req)
			return err
		})
		sameAsMissing(t, "JoinSecurityGroup with A's instance", inst, missing, func(id string) error {
			req := ecs.CreateJoinSecurityGroupRequest()
			req.InstanceId, req.SecurityGroupId = id, sg
			_, err := b.JoinSecurityGroup(req)
			return err
		})
		sameAsMissing(t, "AddTags", inst, missing, func(id string) error {
			req := ecs.CreateAddTagsRequest()
			req.ResourceType, req.ResourceId = "instance", id
			req.Tag = &[]ecs.AddTagsTag{{Key: "owner", Value: "b"}}
			_, err := b.AddTags(req)
			return err
		})
		if s := instanceByID(t, a, inst); s.Status != "Running" || s.InstanceName == "stolen" || len(s.Tags.Tag) != 0 {
			t.Fatalf("A's instance after B's attempts: %s %q", s.Status, s.InstanceName)
		}
	})

	t.Run("Disks", func(t *testing.T) {
		list := ecs.CreateDescribeDisksRequest()
		list.DiskIds = diskIDs(t, disk)
		if resp, err := b.DescribeDisks(list); err != nil || len(resp.Disks.Disk) != 0 {
			t.Fatalf("B's DescribeDisks of A's disk = %+v, %v", resp, err)
		}
		missing := "d-bp1nonexistent000000"
		sameAsMissing(t, "DetachDisk", disk, missing, func(id string) error {
			req := ecs.CreateDetachDiskRequest()
			req.InstanceId, req.DiskId = inst, id
			_, err := b.DetachDisk(req)
			return err
		})
		sameAsMissing(t, "ModifyDiskAttribute", disk, missing, func(id string) error {
			req := ecs.CreateModifyDiskAttributeRequest()
			req.DiskId, req.DiskName = id, "stolen"
			_, err := b.ModifyDiskAttribute(req)
			return err
		})
		sameAsMissing(t, "DeleteDisk", disk, missing, func(id string) error {
			req := ecs.CreateDeleteDiskRequest()
			req.DiskId = id
			_, err := b.DeleteDisk(req)
			return err
		})
		mine := ecs.CreateDescribeDisksRequest()
		mine.DiskIds = diskIDs(t, disk)
		if resp, err := a.DescribeDisks(mine); err != nil || len(resp.Disks.Disk) != 1 || resp.Disks.Disk[0].DiskName == "stolen" {
			t.Fatalf("A's disk after B's attempts: %+v, %v", resp, err)
		}
	})

	t.Run("SecurityGroups", func(t *testing.T) {
		list := ecs.CreateDescribeSecurityGroupsRequest()
		list.SecurityGroupIds = diskIDs(t, sg)
		if resp, err := b.DescribeSecurityGroups(list); err != nil || len(resp.SecurityGroups.SecurityGroup) != 0 {
			t.Fatalf("B's DescribeSecurityGroups of A's group = %+v, %v", resp, err)
		}
		missing := "sg-bp1nonexistent00000"
		sameAsMissing(t, "DescribeSecurityGroupAttribute", sg, missing, func(id string) error {
			req := ecs.CreateDescribeSecurityGroupAttributeRequest()
			req.SecurityGroupId = id
			_, err := b.DescribeSecurityGroupAttribute(req)
			return err
		})
		sameAsMissing(t, "AuthorizeSecurityGroup", sg, missing, func(id string) error {
			req := ecs.CreateAuthorizeSecurityGroupRequest()
			req.SecurityGroupId, req.IpProtocol, req.PortRange, req.SourceCidrIp = id, "tcp", "22/22", "0.0.0.0/0"
			_, err := b.AuthorizeSecurityGroup(req)
			return err
		})
		sameAsMissing(t, "DeleteSecurityGroup", sg, missing, func(id string) error {
			req := ecs.CreateDeleteSecurityGroupRequest()
			req.SecurityGroupId = id
			_, err := b.DeleteSecurityGroup(req)
			return err
		})
	})

	t.Run("VPCsAndVSwitches", func(t *testing.T) {
		vb := vpcWith(t, s, tenant)
		list := vpc.CreateDescribeVSwitchesRequest()
		list.VSwitchId = vsw
		if resp, err := vb.DescribeVSwitches(list); err != nil || len(resp.VSwitches.VSwitch) != 0 {
			t.Fatalf("B's DescribeVSwitches of A's VSwitch = %+v, %v", resp, err)
		}
		if resp, err := vb.DescribeVpcs(vpc.CreateDescribeVpcsRequest()); err != nil || resp.TotalCount != 0 {
			t.Fatalf("B's DescribeVpcs = %+v, %v", resp, err)
		}
		sameAsMissing(t, "DescribeVSwitchAttributes", vsw, "vsw-bp1nonexistent0000", func(id string) error {
			req := vpc.CreateDescribeVSwitchAttributesRequest()
			req.VSwitchId = id
			_, err := vb.DescribeVSwitchAttributes(req)
			return err
		})
		sameAsMissing(t, "DeleteVSwitch", vsw, "vsw-bp1nonexistent0000", func(id string) error {
			req := vpc.CreateDeleteVSwitchRequest()
			req.VSwitchId = id
			_, err := vb.DeleteVSwitch(req)
			return err
		})
		sameAsMissing(t, "DeleteVpc", vpcID, "vpc-bp1nonexistent0000", func(id string) error {
			req := vpc.CreateDeleteVpcRequest()
			req.VpcId = id
			_, err := vb.DeleteVpc(req)
			return err
		})
		sameAsMissing(t, "CreateSecurityGroup in A's VPC", vpcID, "vpc-bp1nonexistent0000", func(id string) error {
			req := ecs.CreateCreateSecurityGroupRequest()
			req.VpcId = id
			_, err := b.CreateSecurityGroup(req)
			return err
		})
		sameAsMissing(t, "RunInstances in A's VSwitch", vsw, "vsw-bp1nonexistent0000", func(id string) error {
			req := ecs.CreateRunInstancesRequest()
			req.ImageId, req.InstanceType, req.VSwitchId = e2eImage, "ecs.g5.large", id
			_, err := b.RunInstances(req)
			return err
		})
	})

	t.Run("KeyPairsAndImages", func(t *testing.T) {
		list := ecs.CreateDescribeKeyPairsRequest()
		list.KeyPairName = keyPair
		if resp, err := b.DescribeKeyPairs(list); err != nil || len(resp.KeyPairs.KeyPair) != 0 {
			t.Fatalf("B's DescribeKeyPairs of A's key pair = %+v, %v", resp, err)
		}
		sameAsMissing(t, "AttachKeyPair", keyPair, "no-such-key-pair", func(name string) error {
			req := ecs.CreateAttachKeyPairRequest()
			req.KeyPairName, req.InstanceIds = name, diskIDs(t, inst)
			_, err := b.AttachKeyPair(req)
			return err
		})
		// B may import a key pair of the same name: names are per account.
		imp := ecs.CreateImportKeyPairRequest()
		imp.KeyPairName, imp.PublicKeyBody = keyPair, line
		if _, err := b.ImportKeyPair(imp); err != nil {
			t.Fatalf("B's ImportKeyPair with A's name: %v", err)
		}
		t.Cleanup(func() {
			del := ecs.CreateDeleteKeyPairsRequest()
			del.KeyPairNames = diskIDs(t, keyPair)
			_, _ = b.DeleteKeyPairs(del)
		})
		own := ecs.CreateDescribeImagesRequest()
		own.ImageOwnerAlias = "self"
		if resp, err := b.DescribeImages(own); err != nil || resp.TotalCount != 0 {
			t.Fatalf("B's own images = %+v, %v", resp, err)
		}
		system := ecs.CreateDescribeImagesRequest()
		system.ImageId = e2eImage
		if resp, err := b.DescribeImages(system); err != nil || resp.TotalCount != 1 {
			t.Fatalf("system images are for every account: %+v, %v", resp, err)
		}
	})

	t.Run("DisableAndEnable", func(t *testing.T) {
		out := adminAccount(t, s, "disable", tenant.AccountName)
		var disabled accountCreated
		if err := json.Unmarshal(out, &disabled); err != nil || disabled.Status != "Disabled" || disabled.AccountId != tenant.AccountId {
			t.Fatalf("ecsd admin account disable printed %s", out)
		}
		wantServerError(t, "a disabled account's key", describeRegions(b), "Forbidden.AccessKeyDisabled", http.StatusForbidden)
		if err := describeRegions(a); err != nil {
			t.Fatalf("disabling B stopped A: %v", err)
		}
		var list []accountCreated
		if err := json.Unmarshal(adminAccount(t, s, "list"), &list); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, acct := range list {
			found = found || acct.AccountName == tenant.AccountName && acct.Status == "Disabled"
		}
		if !found {
			t.Fatalf("ecsd admin account list does not show %s disabled: %+v", tenant.AccountName, list)
		}
		adminAccount(t, s, "enable", tenant.AccountName)
		if err := describeRegions(b); err != nil {
			t.Fatalf("enabled again, B's key fails: %v", err)
		}
	})
}

// vpcWith returns a services/vpc client for a created account.
func vpcWith(t *testing.T, s *server, a accountCreated) *vpc.Client {
	t.Helper()
	c, err := vpc.NewClientWithAccessKey("cn-hangzhou", a.AccessKeyId, a.AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	c.Domain = s.addr
	return c
}
