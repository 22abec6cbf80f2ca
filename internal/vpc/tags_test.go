package vpc

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/service/tag"
)

// tagFixture is a netFixture whose handlers also have the tag service.
func tagFixture(t *testing.T) *netFixture {
	t.Helper()
	f := newNetFixture(t)
	f.h = New(Deps{Catalog: f.h.deps.Catalog, Endpoint: testEndpoint, Network: f.svc, Tags: tag.New(tag.Deps{Store: f.store})})
	return f
}

func TestTagHandlersBindToTheVPCSpec(t *testing.T) {
	spec, err := apispec.VPC()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, tagFixture(t).h); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"TagResources", "UnTagResources", "ListTagResources"} {
		if ep, _ := reg.Lookup(spec.Version, action); ep == nil || !ep.Implemented() {
			t.Errorf("%s is not routed to a handler", action)
		}
	}
}

func TestVPCTagResourcesTagsVPCsAndVSwitchesAndListsThemInTheSDKShape(t *testing.T) {
	f := tagFixture(t)
	ctx := as(t, 1, "cn-hangzhou")
	vpcID := f.createVpc(t, ctx, "10.0.0.0/8").VpcId
	vsw := f.createVSwitch(t, ctx, vpcID, "10.0.1.0/24")

	tagged, err := f.h.TagResources(ctx, decode[TagResourcesRequest](t,
		"ResourceType=VPC&ResourceId.1="+vpcID+"&Tag.1.Key=env&Tag.1.Value=prod&Tag.2.Key=team&Tag.2.Value=net"))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, tagged, "TagResourcesResponse")
	if _, err := f.h.TagResources(ctx, decode[TagResourcesRequest](t, "ResourceType=VSWITCH&ResourceId.1="+vsw+"&Tag.1.Key=env&Tag.1.Value=prod")); err != nil {
		t.Fatal(err)
	}

	list, err := f.h.ListTagResources(ctx, decode[ListTagResourcesRequest](t, "ResourceType=VPC&ResourceId.1="+vpcID))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, list, "ListTagResourcesResponse")
	want := []TagResource{{"VPC", vpcID, "env", "prod"}, {"VPC", vpcID, "team", "net"}}
	if fmt.Sprint(list.TagResources.TagResource) != fmt.Sprint(want) || list.NextToken != "" {
		t.Errorf("ListTagResources = %+v, want %+v", list, want)
	}
	byTag, err := f.h.ListTagResources(ctx, decode[ListTagResourcesRequest](t, "ResourceType=VSWITCH&Tag.1.Key=env&Tag.1.Value=prod"))
	if err != nil || len(byTag.TagResources.TagResource) != 1 || byTag.TagResources.TagResource[0].ResourceId != vsw {
		t.Errorf("VSwitches tagged env=prod = %+v, %v", byTag, err)
	}

	page, err := f.h.ListTagResources(ctx, decode[ListTagResourcesRequest](t, "ResourceType=VPC&MaxResults=1"))
	if err != nil || len(page.TagResources.TagResource) != 1 || page.NextToken == "" {
		t.Fatalf("first page of 1 = %+v, %v", page, err)
	}
	assertSDKShape(t, page, "ListTagResourcesResponse")
	next, err := f.h.ListTagResources(ctx, decode[ListTagResourcesRequest](t, "ResourceType=VPC&MaxResults=1&NextToken="+page.NextToken))
	if err != nil || len(next.TagResources.TagResource) != 1 || next.TagResources.TagResource[0].TagKey != "team" || next.NextToken != "" {
		t.Errorf("second page = %+v, %v", next, err)
	}

	untagged, err := f.h.UnTagResources(ctx, decode[UnTagResourcesRequest](t, "ResourceType=VPC&ResourceId.1="+vpcID+"&TagKey.1=env"))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, untagged, "UnTagResourcesResponse")
	if _, err := f.h.UnTagResources(ctx, decode[UnTagResourcesRequest](t, "ResourceType=VSWITCH&ResourceId.1="+vsw+"&All=true")); err != nil {
		t.Fatal(err)
	}
	left, err := f.h.ListTagResources(ctx, decode[ListTagResourcesRequest](t, "ResourceType=vpc"))
	if err != nil || fmt.Sprint(left.TagResources.TagResource) != fmt.Sprint([]TagResource{{"VPC", vpcID, "team", "net"}}) {
		t.Errorf("after untagging = %+v, %v", left, err)
	}
	none, err := f.h.ListTagResources(ctx, decode[ListTagResourcesRequest](t, "ResourceType=VSWITCH"))
	if err != nil || none.TagResources.TagResource == nil || len(none.TagResources.TagResource) != 0 {
		t.Errorf("VSwitch tags after All=true = %+v, %v", none, err)
	}
	assertSDKShape(t, none, "ListTagResourcesResponse")
}

func TestVPCTagActionsAnswerErrorsForUnknownTypesAndResources(t *testing.T) {
	f := tagFixture(t)
	ctx := as(t, 1, "cn-hangzhou")
	vpcID := f.createVpc(t, ctx, "10.0.0.0/8").VpcId
	for _, c := range []struct {
		name, query string
		code        string
		status      int
	}{
		{"unknown type", "ResourceType=EIP&ResourceId.1=" + vpcID + "&Tag.1.Key=a", "InvalidResourceType.NotFound", http.StatusNotFound},
		{"unknown VPC", "ResourceType=VPC&ResourceId.1=vpc-nope&Tag.1.Key=a", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"a VPC ID as a VSwitch", "ResourceType=VSWITCH&ResourceId.1=" + vpcID + "&Tag.1.Key=a", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"malformed key", "ResourceType=VPC&ResourceId.1=" + vpcID + "&Tag.1.Key=aliyun-x", "InvalidTagKey.Malformed", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.h.TagResources(ctx, decode[TagResourcesRequest](t, c.query))
			assertAPIError(t, err, c.code, c.status)
		})
	}
	var many strings.Builder
	for i := 1; i <= 21; i++ {
		fmt.Fprintf(&many, "&Tag.%d.Key=k%d", i, i)
	}
	_, err := f.h.TagResources(ctx, decode[TagResourcesRequest](t, "ResourceType=VPC&ResourceId.1="+vpcID+many.String()))
	assertAPIError(t, err, "InvalidTagCount", http.StatusBadRequest)
	_, err = f.h.TagResources(as(t, 2, "cn-hangzhou"), decode[TagResourcesRequest](t, "ResourceType=VPC&ResourceId.1="+vpcID+"&Tag.1.Key=a"))
	assertAPIError(t, err, "InvalidResourceId.NotFound", http.StatusNotFound)
	_, err = f.h.ListTagResources(ctx, decode[ListTagResourcesRequest](t, "ResourceType=VPC&NextToken=bad"))
	assertAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
}
