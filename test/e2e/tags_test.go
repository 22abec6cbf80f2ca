package e2e

import (
	"fmt"
	"net/http"
	"testing"

	teaecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/vpc"
)

// tagE2EGroup creates an untagged security group through the old SDK and
// deletes it when the test ends.
func tagE2EGroup(t *testing.T, c *ecs.Client, name string) string {
	t.Helper()
	req := ecs.CreateCreateSecurityGroupRequest()
	req.RegionId, req.SecurityGroupName, req.Description = "cn-hangzhou", name, "tagged by the e2e suite"
	resp, err := c.CreateSecurityGroup(req)
	if err != nil {
		t.Fatalf("CreateSecurityGroup: %v", err)
	}
	t.Cleanup(func() {
		del := ecs.CreateDeleteSecurityGroupRequest()
		del.RegionId, del.SecurityGroupId = "cn-hangzhou", resp.SecurityGroupId
		if _, err := c.DeleteSecurityGroup(del); err != nil {
			t.Logf("DeleteSecurityGroup %s: %v", resp.SecurityGroupId, err)
		}
	})
	return resp.SecurityGroupId
}

// tagE2EKeyPair imports a key pair through the Tea SDK (deleted with the
// prefix's key pairs when the test ends) and returns its name.
func tagE2EKeyPair(t *testing.T, s *server, c *teaecs.Client) string {
	t.Helper()
	name := keyPairPrefix(t, s) + "tagged"
	line, _ := ed25519Line(t)
	_, err := c.ImportKeyPair(&teaecs.ImportKeyPairRequest{RegionId: dara.String("cn-hangzhou"), KeyPairName: dara.String(name),
		PublicKeyBody: dara.String(line)})
	if err != nil {
		t.Fatalf("ImportKeyPair: %v", err)
	}
	return name
}

// addTags calls AddTags through the old SDK.
func addTags(c *ecs.Client, resourceType, id string, tags ...ecs.AddTagsTag) error {
	req := ecs.CreateAddTagsRequest()
	req.RegionId, req.ResourceType, req.ResourceId, req.Tag = "cn-hangzhou", resourceType, id, &tags
	_, err := c.AddTags(req)
	return err
}

func TestSDKsTagSecurityGroupsAndKeyPairsAndDescribeListAndRemoveTheTags(t *testing.T) {
	s := startServer(t, serverOptions{})
	old := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	tea := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	run := unique("tags")
	group := tagE2EGroup(t, old, run)
	keyPair := tagE2EKeyPair(t, s, tea)

	if err := addTags(old, "securitygroup", group, ecs.AddTagsTag{Key: "run", Value: run}, ecs.AddTagsTag{Key: "team", Value: "web"}); err != nil {
		t.Fatalf("AddTags: %v", err)
	}
	_, err := tea.TagResources(&teaecs.TagResourcesRequest{RegionId: dara.String("cn-hangzhou"), ResourceType: dara.String("keypair"),
		ResourceId: []*string{dara.String(keyPair)}, Tag: []*teaecs.TagResourcesRequestTag{{Key: dara.String("run"), Value: dara.String(run)}}})
	if err != nil {
		t.Fatalf("TagResources: %v", err)
	}

	// DescribeTags: one distinct tag, carried by a group and a key pair.
	desc := ecs.CreateDescribeTagsRequest()
	desc.RegionId, desc.Tag = "cn-hangzhou", &[]ecs.DescribeTagsTag{{Key: "run", Value: run}}
	described, err := old.DescribeTags(desc)
	if err != nil {
		t.Fatalf("DescribeTags: %v", err)
	}
	if described.TotalCount != 1 || described.PageSize != 50 || len(described.Tags.Tag) != 1 {
		t.Fatalf("DescribeTags = %+v", described)
	}
	if got := described.Tags.Tag[0]; got.TagKey != "run" || got.TagValue != run ||
		got.ResourceTypeCount.Securitygroup != 1 || got.ResourceTypeCount.KeyPair != 1 || got.ResourceTypeCount.Instance != 0 {
		t.Errorf("DescribeTags tag = %+v", got)
	}

	// ListTagResources (Tea): the group's two tags on one page, without a NextToken.
	listed, err := tea.ListTagResources(&teaecs.ListTagResourcesRequest{RegionId: dara.String("cn-hangzhou"),
		ResourceType: dara.String("securitygroup"), ResourceId: []*string{dara.String(group)}})
	if err != nil {
		t.Fatalf("ListTagResources: %v", err)
	}
	var rows []string
	for _, r := range listed.Body.TagResources.TagResource {
		rows = append(rows, fmt.Sprintf("%s %s %s=%s", dara.StringValue(r.ResourceType), dara.StringValue(r.ResourceId),
			dara.StringValue(r.TagKey), dara.StringValue(r.TagValue)))
	}
	want := []string{"ALIYUN::ECS::SECURITYGROUP " + group + " run=" + run, "ALIYUN::ECS::SECURITYGROUP " + group + " team=web"}
	if fmt.Sprint(rows) != fmt.Sprint(want) || listed.Body.NextToken != nil {
		t.Errorf("ListTagResources = %v (NextToken %v), want %v", rows, dara.StringValue(listed.Body.NextToken), want)
	}

	// ListTagResources (old SDK) by a fuzzy TagFilter finds the key pair by name.
	byFilter := ecs.CreateListTagResourcesRequest()
	byFilter.RegionId, byFilter.ResourceType = "cn-hangzhou", "keypair"
	byFilter.TagFilter = &[]ecs.ListTagResourcesTagFilter{{TagKey: "ru*", TagValues: &[]string{run}}}
	found, err := old.ListTagResources(byFilter)
	if err != nil {
		t.Fatalf("ListTagResources by TagFilter: %v", err)
	}
	if len(found.TagResources.TagResource) != 1 || found.TagResources.TagResource[0].ResourceId != keyPair ||
		found.TagResources.TagResource[0].ResourceType != "ALIYUN::ECS::KEYPAIR" {
		t.Errorf("key pairs tagged run=%s: %+v", run, found.TagResources)
	}

	// The groups' and key pairs' own Describe actions read the same tags.
	groups := ecs.CreateDescribeSecurityGroupsRequest()
	groups.RegionId, groups.Tag = "cn-hangzhou", &[]ecs.DescribeSecurityGroupsTag{{Key: "run", Value: run}}
	if g, err := old.DescribeSecurityGroups(groups); err != nil || g.TotalCount != 1 || len(g.SecurityGroups.SecurityGroup[0].Tags.Tag) != 2 {
		t.Errorf("DescribeSecurityGroups by the tag = %+v, %v", g, err)
	}
	kps := ecs.CreateDescribeKeyPairsRequest()
	kps.RegionId, kps.KeyPairName = "cn-hangzhou", keyPair
	if k, err := old.DescribeKeyPairs(kps); err != nil || len(k.KeyPairs.KeyPair) != 1 || len(k.KeyPairs.KeyPair[0].Tags.Tag) != 1 {
		t.Errorf("DescribeKeyPairs = %+v, %v", k, err)
	}

	// RemoveTags (old SDK) by key, UntagResources (Tea) with All.
	remove := ecs.CreateRemoveTagsRequest()
	remove.RegionId, remove.ResourceType, remove.ResourceId = "cn-hangzhou", "securitygroup", group
	remove.Tag = &[]ecs.RemoveTagsTag{{Key: "team"}}
	if _, err := old.RemoveTags(remove); err != nil {
		t.Fatalf("RemoveTags: %v", err)
	}
	_, err = tea.UntagResources(&teaecs.UntagResourcesRequest{RegionId: dara.String("cn-hangzhou"), ResourceType: dara.String("keypair"),
		ResourceId: []*string{dara.String(keyPair)}, All: dara.Bool(true)})
	if err != nil {
		t.Fatalf("UntagResources: %v", err)
	}
	after, err := old.DescribeTags(desc)
	if err != nil || len(after.Tags.Tag) != 1 || after.Tags.Tag[0].ResourceTypeCount.KeyPair != 0 || after.Tags.Tag[0].ResourceTypeCount.Securitygroup != 1 {
		t.Errorf("DescribeTags after untagging = %+v, %v", after, err)
	}
	left := ecs.CreateListTagResourcesRequest()
	left.RegionId, left.ResourceType, left.ResourceId = "cn-hangzhou", "securitygroup", &[]string{group}
	if l, err := old.ListTagResources(left); err != nil || len(l.TagResources.TagResource) != 1 || l.TagResources.TagResource[0].TagKey != "run" {
		t.Errorf("the group's tags after RemoveTags team = %+v, %v", l, err)
	}
}

func TestTagActionsAnswerTheGuidesErrorsForUnknownTypesAndResourcesTooManyTagsAndMalformedKeys(t *testing.T) {
	s := startServer(t, serverOptions{})
	old := oldSDK(t, s, testAccessKeyID, testAccessKeySecret)
	tea := teaSDK(t, s, testAccessKeyID, testAccessKeySecret, false)
	group := tagE2EGroup(t, old, unique("tag-errors"))

	wantServerError(t, "AddTags on an unknown type", addTags(old, "bucket", group, ecs.AddTagsTag{Key: "k"}),
		"InvalidResourceType.NotFound", http.StatusNotFound)
	wantServerError(t, "AddTags on an unknown group", addTags(old, "securitygroup", "sg-doesnotexist", ecs.AddTagsTag{Key: "k"}),
		"InvalidResourceId.NotFound", http.StatusNotFound)
	six := make([]ecs.AddTagsTag, 6)
	for i := range six {
		six[i] = ecs.AddTagsTag{Key: fmt.Sprintf("k%d", i)}
	}
	wantServerError(t, "AddTags with six tags", addTags(old, "securitygroup", group, six...), "InvalidTagCount", http.StatusBadRequest)
	wantServerError(t, "AddTags with an aliyun key", addTags(old, "securitygroup", group, ecs.AddTagsTag{Key: "aliyun:owner", Value: "x"}),
		"InvalidTagKey.Malformed", http.StatusBadRequest)
	wantServerError(t, "AddTags with an http:// value", addTags(old, "securitygroup", group, ecs.AddTagsTag{Key: "site", Value: "http://x"}),
		"InvalidTagValue.Malformed", http.StatusBadRequest)
	wantServerError(t, "AddTags on a system image", addTags(old, "image", "ubuntu_22_04_x64_20G_alibase_20240530.vhd", ecs.AddTagsTag{Key: "k"}),
		"InvalidResourceId.NotSupported", http.StatusForbidden)

	// Ten tags is the quota of a resource (1.15.1): the eleventh is refused.
	var ten []*teaecs.TagResourcesRequestTag
	for i := range 10 {
		ten = append(ten, &teaecs.TagResourcesRequestTag{Key: dara.String(fmt.Sprintf("k%02d", i)), Value: dara.String("v")})
	}
	tagGroup := func(tags []*teaecs.TagResourcesRequestTag) error {
		_, err := tea.TagResources(&teaecs.TagResourcesRequest{RegionId: dara.String("cn-hangzhou"), ResourceType: dara.String("securitygroup"),
			ResourceId: []*string{dara.String(group)}, Tag: tags})
		return err
	}
	if err := tagGroup(ten); err != nil {
		t.Fatalf("TagResources with ten tags: %v", err)
	}
	err := tagGroup([]*teaecs.TagResourcesRequestTag{{Key: dara.String("eleventh"), Value: dara.String("v")}})
	if code, status := teaError(t, err); code != "OperationDenied.QuotaExceed" || status != http.StatusBadRequest {
		t.Errorf("the eleventh tag: %s (%d), want OperationDenied.QuotaExceed (400)", code, status)
	}
	_, err = tea.ListTagResources(&teaecs.ListTagResourcesRequest{RegionId: dara.String("cn-hangzhou"), ResourceType: dara.String("bucket")})
	if code, status := teaError(t, err); code != "InvalidResourceType.NotFound" || status != http.StatusNotFound {
		t.Errorf("ListTagResources of an unknown type: %s (%d)", code, status)
	}
}

func TestVPCSDKTagsAVPCListsAndUntagsIt(t *testing.T) {
	s := startServer(t, serverOptions{})
	c := vpcSDK(t, s)
	run := unique("vpc-tags")
	create := vpc.CreateCreateVpcRequest()
	create.CidrBlock, create.VpcName = "10.0.0.0/16", run
	created, err := c.CreateVpc(create)
	if err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	cleanUp(t, c, created.VpcId)

	tagReq := vpc.CreateTagResourcesRequest()
	tagReq.ResourceType, tagReq.ResourceId = "VPC", &[]string{created.VpcId}
	tagReq.Tag = &[]vpc.TagResourcesTag{{Key: "run", Value: run}, {Key: "team", Value: "net"}}
	if _, err := c.TagResources(tagReq); err != nil {
		t.Fatalf("TagResources: %v", err)
	}
	list := vpc.CreateListTagResourcesRequest()
	list.ResourceType, list.ResourceId = "VPC", &[]string{created.VpcId}
	listed, err := c.ListTagResources(list)
	if err != nil {
		t.Fatalf("ListTagResources: %v", err)
	}
	rows := listed.TagResources.TagResource
	if len(rows) != 2 || rows[0].ResourceType != "VPC" || rows[0].ResourceId != created.VpcId || rows[0].TagKey != "run" ||
		rows[0].TagValue != run || rows[1].TagKey != "team" || listed.NextToken != "" {
		t.Fatalf("ListTagResources = %+v", listed)
	}
	byTag := vpc.CreateListTagResourcesRequest()
	byTag.ResourceType, byTag.Tag = "VPC", &[]vpc.ListTagResourcesTag{{Key: "run", Value: run}}
	if found, err := c.ListTagResources(byTag); err != nil || len(found.TagResources.TagResource) != 1 {
		t.Errorf("VPCs tagged run=%s = %+v, %v", run, found, err)
	}

	bad := vpc.CreateTagResourcesRequest()
	bad.ResourceType, bad.ResourceId, bad.Tag = "VPC", &[]string{"vpc-doesnotexist"}, &[]vpc.TagResourcesTag{{Key: "k"}}
	_, err = c.TagResources(bad)
	wantServerError(t, "TagResources on an unknown VPC", err, "InvalidResourceId.NotFound", http.StatusNotFound)

	untag := vpc.CreateUnTagResourcesRequest()
	untag.ResourceType, untag.ResourceId, untag.TagKey = "VPC", &[]string{created.VpcId}, &[]string{"team"}
	if _, err := c.UnTagResources(untag); err != nil {
		t.Fatalf("UnTagResources: %v", err)
	}
	after, err := c.ListTagResources(list)
	if err != nil || len(after.TagResources.TagResource) != 1 || after.TagResources.TagResource[0].TagKey != "run" {
		t.Errorf("after UnTagResources team = %+v, %v", after, err)
	}
}
