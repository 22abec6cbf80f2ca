package ecs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/service/tag"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// tagHandlers returns handlers whose tag service runs on a fresh SQLite store
// in which account 1 has, in cn-hangzhou, the groups sg-1 to sg-6 and the key
// pair "web".
func tagHandlers(t *testing.T) *Handlers {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	now := time.Date(2024, 3, 1, 8, 30, 0, 0, time.UTC)
	err = st.Update(t.Context(), func(tx store.Tx) error {
		for i := 1; i <= 6; i++ {
			id := fmt.Sprintf("sg-%d", i)
			if err := tx.CreateSecurityGroup(store.SecurityGroup{ID: id, AccountID: 1, RegionID: "cn-hangzhou", Name: id,
				Type: "normal", InnerAccessPolicy: "Accept", CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.CreateKeyPair(store.KeyPair{ID: "kp-1", AccountID: 1, RegionID: "cn-hangzhou", Name: "web",
			FingerPrint: "00", PublicKey: "ssh-ed25519 AAAA", CreatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	images := image.New(image.Deps{Store: st, Catalog: cat})
	return New(Deps{Catalog: cat, Endpoint: testEndpoint, Images: images, Tags: tag.New(tag.Deps{Store: st, Images: images})})
}

// tagCall decodes query as the front does and calls the handler as account 1
// in cn-hangzhou.
func tagCall[Req, Resp any](t *testing.T, query string, call func(context.Context, *Req) (Resp, error)) (Resp, error) {
	t.Helper()
	return call(asAccount(1), decodeInto[Req](t, query))
}

func TestTagHandlersBindToTheECSSpec(t *testing.T) {
	spec, err := apispec.ECS()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, tagHandlers(t)); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"AddTags", "RemoveTags", "DescribeTags", "TagResources", "UntagResources", "ListTagResources"} {
		if ep, _ := reg.Lookup(spec.Version, action); ep == nil || !ep.Implemented() {
			t.Errorf("%s is not routed to a handler", action)
		}
	}
}

func TestAddTagsAndDescribeTagsAnswerInTheSDKShape(t *testing.T) {
	h := tagHandlers(t)
	added, err := tagCall(t, "ResourceType=securitygroup&ResourceId=sg-1&Tag.1.Key=env&Tag.1.Value=prod&Tag.2.Key=team", h.AddTags)
	if err != nil {
		t.Fatal(err)
	}
	assertRequestIDOnly(t, added)
	if _, err := tagCall(t, "ResourceType=keypair&ResourceId=web&Tag.1.Key=env&Tag.1.Value=prod", h.AddTags); err != nil {
		t.Fatal(err)
	}
	desc, err := tagCall(t, "RegionId=cn-hangzhou", h.DescribeTags)
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, desc, "DescribeTagsResponse", "DescribeTagsResponseBody")
	want := []DescribeTagsTag{
		{TagKey: "env", TagValue: "prod", ResourceTypeCount: ResourceTypeCount{Securitygroup: 1, KeyPair: 1}},
		{TagKey: "team", TagValue: "", ResourceTypeCount: ResourceTypeCount{Securitygroup: 1}},
	}
	if desc.TotalCount != 2 || desc.PageNumber != 1 || desc.PageSize != 50 || fmt.Sprint(desc.Tags.Tag) != fmt.Sprint(want) {
		t.Errorf("DescribeTags = %+v, want tags %+v", desc, want)
	}
	page, err := tagCall(t, "PageSize=1&PageNumber=2&ResourceType=securitygroup", h.DescribeTags)
	if err != nil || page.TotalCount != 2 || len(page.Tags.Tag) != 1 || page.Tags.Tag[0].TagKey != "team" {
		t.Errorf("page 2 of 1 = %+v, %v", page, err)
	}
	removed, err := tagCall(t, "ResourceType=securitygroup&ResourceId=sg-1&Tag.1.Key=env&Tag.1.Value=dev&Tag.2.Key=team", h.RemoveTags)
	if err != nil {
		t.Fatal(err)
	}
	assertRequestIDOnly(t, removed)
	left, err := tagCall(t, "ResourceType=securitygroup&ResourceId=sg-1", h.DescribeTags)
	if err != nil || len(left.Tags.Tag) != 1 || left.Tags.Tag[0].TagKey != "env" {
		t.Errorf("env=prod stays when RemoveTags names env=dev: %+v, %v", left, err)
	}
	empty, err := tagCall(t, "ResourceType=instance", h.DescribeTags)
	if err != nil || empty.Tags.Tag == nil || empty.TotalCount != 0 {
		t.Fatalf("no instance tags = %+v, %v", empty, err)
	}
	assertSDKShape(t, empty, "DescribeTagsResponse", "DescribeTagsResponseBody")
}

func TestTagResourcesAndListTagResourcesAnswerInTheSDKShape(t *testing.T) {
	h := tagHandlers(t)
	tagged, err := tagCall(t, "ResourceType=securitygroup&ResourceId.1=sg-1&ResourceId.2=sg-2&Tag.1.Key=env&Tag.1.Value=prod", h.TagResources)
	if err != nil {
		t.Fatal(err)
	}
	assertRequestIDOnly(t, tagged)
	if _, err := tagCall(t, "ResourceType=securitygroup&ResourceId.1=sg-2&Tag.1.Key=tier&Tag.1.Value=web", h.TagResources); err != nil {
		t.Fatal(err)
	}
	list, err := tagCall(t, "ResourceType=securitygroup&ResourceId.1=sg-1&ResourceId.2=sg-2", h.ListTagResources)
	if err != nil {
		t.Fatal(err)
	}
	body := assertSDKShape(t, list, "ListTagResourcesResponse", "ListTagResourcesResponseBody")
	want := []ListedTagResource{{"ALIYUN::ECS::SECURITYGROUP", "sg-1", "env", "prod"},
		{"ALIYUN::ECS::SECURITYGROUP", "sg-2", "env", "prod"}, {"ALIYUN::ECS::SECURITYGROUP", "sg-2", "tier", "web"}}
	if fmt.Sprint(list.TagResources.TagResource) != fmt.Sprint(want) {
		t.Errorf("ListTagResources = %+v, want %+v", list.TagResources.TagResource, want)
	}
	if list.NextToken != "" || strings.Contains(string(body), "NextToken") {
		t.Errorf("the last page has no NextToken (Terraform pages until it is absent): %s", body)
	}
	fuzzy, err := tagCall(t, "ResourceType=securitygroup&TagFilter.1.TagKey=ti*&TagFilter.1.TagValues.1=w*", h.ListTagResources)
	if err != nil || fmt.Sprint(fuzzy.TagResources.TagResource) != fmt.Sprint(want[2:]) {
		t.Errorf("TagFilter ti*/w* = %+v, %v", fuzzy, err)
	}
	exact, err := tagCall(t, "ResourceType=securitygroup&Tag.1.Key=tier&Tag.2.Key=env&Tag.2.Value=prod", h.ListTagResources)
	if err != nil || len(exact.TagResources.TagResource) != 2 || exact.TagResources.TagResource[0].ResourceId != "sg-2" {
		t.Errorf("resources tagged tier and env=prod = %+v, %v", exact, err)
	}
	untagged, err := tagCall(t, "ResourceType=securitygroup&ResourceId.1=sg-1&ResourceId.2=sg-2&TagKey.1=env", h.UntagResources)
	if err != nil {
		t.Fatal(err)
	}
	assertRequestIDOnly(t, untagged)
	if _, err := tagCall(t, "ResourceType=securitygroup&ResourceId.1=sg-2&All=true", h.UntagResources); err != nil {
		t.Fatal(err)
	}
	none, err := tagCall(t, "ResourceType=securitygroup", h.ListTagResources)
	if err != nil || none.TagResources.TagResource == nil || len(none.TagResources.TagResource) != 0 {
		t.Fatalf("after untagging = %+v, %v", none, err)
	}
	assertSDKShape(t, none, "ListTagResourcesResponse", "ListTagResourcesResponseBody")
}

func TestListTagResourcesPagesFiftyRowsWithANextToken(t *testing.T) {
	h := tagHandlers(t)
	q := "ResourceType=securitygroup"
	for i := 1; i <= 6; i++ {
		q += fmt.Sprintf("&ResourceId.%d=sg-%d", i, i)
	}
	for i := 1; i <= 10; i++ {
		q += fmt.Sprintf("&Tag.%d.Key=k%02d&Tag.%d.Value=v", i, i, i)
	}
	if _, err := tagCall(t, q, h.TagResources); err != nil {
		t.Fatal(err)
	}
	first, err := tagCall(t, "ResourceType=securitygroup", h.ListTagResources)
	if err != nil || len(first.TagResources.TagResource) != 50 || first.NextToken == "" {
		t.Fatalf("first page = %d rows, next %q, %v; want 50 and a token", len(first.TagResources.TagResource), first.NextToken, err)
	}
	assertSDKShape(t, first, "ListTagResourcesResponse", "ListTagResourcesResponseBody")
	second, err := tagCall(t, "ResourceType=securitygroup&NextToken="+first.NextToken, h.ListTagResources)
	if err != nil || len(second.TagResources.TagResource) != 10 || second.NextToken != "" {
		t.Fatalf("second page = %d rows, next %q, %v; want the last 10", len(second.TagResources.TagResource), second.NextToken, err)
	}
	if r := second.TagResources.TagResource[9]; r.ResourceId != "sg-6" || r.TagKey != "k10" {
		t.Errorf("last row %+v", r)
	}
	_, err = tagCall(t, "ResourceType=securitygroup&NextToken=x", h.ListTagResources)
	assertAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
}

func TestTagActionsAnswerTheGuidesErrors(t *testing.T) {
	h := tagHandlers(t)
	for _, c := range []struct {
		name   string
		call   func() error
		code   string
		status int
	}{
		{"unknown resource type", func() error {
			_, err := tagCall(t, "ResourceType=bucket&ResourceId=b-1&Tag.1.Key=a", h.AddTags)
			return err
		}, "InvalidResourceType.NotFound", http.StatusNotFound},
		{"unknown resource", func() error {
			_, err := tagCall(t, "ResourceType=securitygroup&ResourceId=sg-nope&Tag.1.Key=a", h.AddTags)
			return err
		}, "InvalidResourceId.NotFound", http.StatusNotFound},
		{"six tags", func() error {
			_, err := tagCall(t, "ResourceType=securitygroup&ResourceId=sg-1&Tag.1.Key=a&Tag.2.Key=b&Tag.3.Key=c&Tag.4.Key=d&Tag.5.Key=e&Tag.6.Key=f", h.AddTags)
			return err
		}, "InvalidTagCount", http.StatusBadRequest},
		{"key starting with aliyun", func() error {
			_, err := tagCall(t, "ResourceType=securitygroup&ResourceId=sg-1&Tag.1.Key=aliyun-x", h.AddTags)
			return err
		}, "InvalidTagKey.Malformed", http.StatusBadRequest},
		{"a value without its key", func() error {
			_, err := tagCall(t, "ResourceType=securitygroup&ResourceId=sg-1&Tag.1.Value=v", h.AddTags)
			return err
		}, "InvalidTag.Mismatch", http.StatusBadRequest},
		{"a system image", func() error {
			_, err := tagCall(t, "ResourceType=image&ResourceId=ubuntu_22_04_x64_20G_alibase_20240530.vhd&Tag.1.Key=a", h.AddTags)
			return err
		}, "InvalidResourceId.NotSupported", http.StatusForbidden},
		{"TagResources on an unknown resource", func() error {
			_, err := tagCall(t, "ResourceType=keypair&ResourceId.1=web&ResourceId.2=nope&Tag.1.Key=a", h.TagResources)
			return err
		}, "InvalidResourceId.NotFound", http.StatusNotFound},
		{"ListTagResources without a type", func() error {
			_, err := tagCall(t, "ResourceId.1=sg-1", h.ListTagResources)
			return err
		}, "MissingParameter", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) { assertAPIError(t, c.call(), c.code, c.status) })
	}
	if err := decode(t, "PageSize=101", &DescribeTagsRequest{}); err == nil {
		t.Error("DescribeTags takes PageSize up to 100")
	}
}

// assertRequestIDOnly checks that an answer has no field of its own: the
// front adds RequestId, all the SDKs' structs hold.
func assertRequestIDOnly(t *testing.T, resp any) {
	t.Helper()
	body, err := json.Marshal(resp)
	if err != nil || string(body) != "{}" {
		t.Errorf("answer %s, %v; want only the RequestId the front adds", body, err)
	}
}
