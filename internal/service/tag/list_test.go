package tag

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

// seedTags tags alice's resources: i-1 env=prod team=web, d-1 env=prod,
// sg-1 env=dev, key pair web env=prod; vpc-1 env=prod; and bob's sg-bob and
// alice's sg-north env=prod.
func (f *fixture) seedTags() {
	f.t.Helper()
	for _, c := range []struct {
		caller  Caller
		product Product
		typ, id string
		tags    []store.Tag
	}{
		{alice, ECS, "instance", "i-1", tags("env=prod", "team=web")},
		{alice, ECS, "disk", "d-1", tags("env=prod")},
		{alice, ECS, "securitygroup", "sg-1", tags("env=dev")},
		{alice, ECS, "keypair", "web", tags("env=prod")},
		{alice, VPC, "VPC", "vpc-1", tags("env=prod")},
		{bob, ECS, "securitygroup", "sg-bob", tags("env=prod")},
		{aliceNorth, ECS, "securitygroup", "sg-north", tags("env=prod")},
	} {
		if err := f.svc.TagResources(f.t.Context(), c.caller, c.product, c.typ, []string{c.id}, c.tags); err != nil {
			f.t.Fatalf("tag %s: %v", c.id, err)
		}
	}
}

func summaries(res DescribeResult) []string {
	var out []string
	for _, s := range res.Tags {
		out = append(out, fmt.Sprintf("%s=%s %v", s.Key, s.Value, s.Resources))
	}
	return out
}

func TestDescribeTagsCountsTheCallersECSResourcesPerTypeInTheRegion(t *testing.T) {
	f := newFixture(t)
	f.seedTags()
	res, err := f.svc.DescribeTags(t.Context(), alice, DescribeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"env=dev map[securitygroup:1]", "env=prod map[disk:1 instance:1 keypair:1]", "team=web map[instance:1]"}
	if !slices.Equal(summaries(res), want) || res.TotalCount != 3 || res.PageNumber != 1 || res.PageSize != 50 {
		t.Errorf("DescribeTags = %v (total %d, page %d of %d)\nwant %v", summaries(res), res.TotalCount, res.PageNumber, res.PageSize, want)
	}
	for _, c := range []struct {
		name string
		q    DescribeQuery
		want []string
	}{
		{"by type", DescribeQuery{ResourceType: "instance"}, []string{"env=prod map[instance:1]", "team=web map[instance:1]"}},
		{"by resource", DescribeQuery{ResourceID: "d-1"}, []string{"env=prod map[disk:1]"}},
		{"a key pair by name", DescribeQuery{ResourceType: "keypair", ResourceID: "web"}, []string{"env=prod map[keypair:1]"}},
		{"an unknown key pair", DescribeQuery{ResourceType: "keypair", ResourceID: "nope"}, nil},
		{"by key", DescribeQuery{Tags: tags("team")}, []string{"team=web map[instance:1]"}},
		{"by key and value", DescribeQuery{Tags: tags("env=dev")}, []string{"env=dev map[securitygroup:1]"}},
		{"either of two tags", DescribeQuery{Tags: tags("env=dev", "team")}, []string{"env=dev map[securitygroup:1]", "team=web map[instance:1]"}},
		{"all conditions at once", DescribeQuery{ResourceType: "instance", ResourceID: "i-1", Tags: tags("env")}, []string{"env=prod map[instance:1]"}},
		{"page 2 of 1", DescribeQuery{PageNumber: 2, PageSize: 1}, []string{"env=prod map[disk:1 instance:1 keypair:1]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.svc.DescribeTags(t.Context(), alice, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(summaries(res), c.want) {
				t.Errorf("DescribeTags(%+v) = %v, want %v", c.q, summaries(res), c.want)
			}
		})
	}
	north, err := f.svc.DescribeTags(t.Context(), aliceNorth, DescribeQuery{})
	if err != nil || !slices.Equal(summaries(north), []string{"env=prod map[securitygroup:1]"}) {
		t.Errorf("cn-beijing = %v, %v", summaries(north), err)
	}
}

func TestDescribeTagsAnswersTheGuidesErrors(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name          string
		q             DescribeQuery
		code, message string
		status        int
	}{
		{"unknown type", DescribeQuery{ResourceType: "bucket"}, "InvalidResourceType.NotFound",
			"The ResourceType provided does not exist in our records.", http.StatusNotFound},
		{"six tags", DescribeQuery{Tags: numbered(6)}, "InvalidTagCount", "The specified tags are beyond the permitted range.", http.StatusBadRequest},
		{"a value without key", DescribeQuery{Tags: tags("=v")}, "InvalidTagKey.Malformed", "The parameter Tag.n.Key is illegal.", http.StatusBadRequest},
		{"a value of 129 characters", DescribeQuery{Tags: []store.Tag{{Key: "k", Value: strings.Repeat("v", 129)}}},
			"InvalidTagValue.Malformed", "The parameter Tag.n.Value is illegal.", http.StatusBadRequest},
		{"page size 101", DescribeQuery{PageSize: 101}, "InvalidParameter", "", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.DescribeTags(t.Context(), alice, c.q)
			wantCode(t, err, c.code, c.status, c.message)
		})
	}
}

func rowStrings(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s %s %s=%s", r.ResourceType, r.ResourceID, r.Key, r.Value))
	}
	return out
}

func TestListTagResourcesListsTagsOfOneTypeWithTheAnswersResourceType(t *testing.T) {
	f := newFixture(t)
	f.seedTags()
	for _, c := range []struct {
		name string
		q    ListQuery
		want []string
	}{
		{"instances", ListQuery{Product: ECS, ResourceType: "instance"},
			[]string{"ALIYUN::ECS::INSTANCE i-1 env=prod", "ALIYUN::ECS::INSTANCE i-1 team=web"}},
		{"key pairs by name", ListQuery{Product: ECS, ResourceType: "keypair", ResourceIDs: []string{"web", "nope"}},
			[]string{"ALIYUN::ECS::KEYPAIR web env=prod"}},
		{"only unknown key pairs", ListQuery{Product: ECS, ResourceType: "keypair", ResourceIDs: []string{"nope"}}, nil},
		{"by resource", ListQuery{Product: ECS, ResourceType: "disk", ResourceIDs: []string{"d-1", "d-2"}},
			[]string{"ALIYUN::ECS::DISK d-1 env=prod"}},
		{"resources with every tag, matching tags only", ListQuery{Product: ECS, ResourceType: "instance", Tags: tags("team=web")},
			[]string{"ALIYUN::ECS::INSTANCE i-1 team=web"}},
		{"a tag no resource has with the other", ListQuery{Product: ECS, ResourceType: "instance", Tags: tags("team=web", "env=dev")}, nil},
		{"a fuzzy filter", ListQuery{Product: ECS, ResourceType: "securitygroup", Filters: []Filter{{Key: "e*", Values: []string{"*v"}}}},
			[]string{"ALIYUN::ECS::SECURITYGROUP sg-1 env=dev"}},
		{"VPCs", ListQuery{Product: VPC, ResourceType: "VPC"}, []string{"VPC vpc-1 env=prod"}},
		{"VSwitches without tags", ListQuery{Product: VPC, ResourceType: "VSWITCH"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.svc.ListTagResources(t.Context(), alice, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rowStrings(res.Rows), c.want) || res.NextToken != "" || res.Rows == nil {
				t.Errorf("ListTagResources = %v (next %q), want %v", rowStrings(res.Rows), res.NextToken, c.want)
			}
		})
	}
}

func TestListTagResourcesPagesWithNextToken(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"sg-1", "sg-2"} {
		if err := f.svc.TagResources(t.Context(), alice, ECS, "securitygroup", []string{id}, numbered(10)); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	token := ""
	pages := 0
	for {
		res, err := f.svc.ListTagResources(t.Context(), alice, ListQuery{Product: ECS, ResourceType: "securitygroup", NextToken: token, MaxResults: 3})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, rowStrings(res.Rows)...)
		if res.NextToken == "" {
			break
		}
		token = res.NextToken
	}
	if len(all) != 20 || pages != 7 || all[0] != "ALIYUN::ECS::SECURITYGROUP sg-1 k0=v0" || all[19] != "ALIYUN::ECS::SECURITYGROUP sg-2 k9=v9" {
		t.Errorf("%d rows in %d pages: %v", len(all), pages, all)
	}
	full, err := f.svc.ListTagResources(t.Context(), alice, ListQuery{Product: ECS, ResourceType: "securitygroup"})
	if err != nil || len(full.Rows) != 20 || full.NextToken != "" {
		t.Errorf("default page of 50: %d rows, next %q, %v", len(full.Rows), full.NextToken, err)
	}
	_, err = f.svc.ListTagResources(t.Context(), alice, ListQuery{Product: ECS, ResourceType: "securitygroup", NextToken: "garbage!"})
	wantCode(t, err, "InvalidParameter", http.StatusBadRequest, `The specified parameter "NextToken" is not valid.`)
	_, err = f.svc.ListTagResources(t.Context(), alice, ListQuery{Product: ECS, ResourceType: "instance", NextToken: token})
	wantCode(t, err, "InvalidParameter", http.StatusBadRequest, "")
}

func TestListTagResourcesAnswersErrorsForBadFilters(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name   string
		q      ListQuery
		code   string
		status int
	}{
		{"no type", ListQuery{Product: ECS}, "MissingParameter", http.StatusBadRequest},
		{"unknown type", ListQuery{Product: ECS, ResourceType: "volume"}, "InvalidResourceType.NotFound", http.StatusNotFound},
		{"21 tags", ListQuery{Product: ECS, ResourceType: "instance", Tags: numbered(21)}, "InvalidTagCount", http.StatusBadRequest},
		{"a value without key", ListQuery{Product: ECS, ResourceType: "instance", Tags: tags("=v")}, "InvalidTag.Mismatch", http.StatusBadRequest},
		{"Tag and TagFilter", ListQuery{Product: ECS, ResourceType: "instance", Tags: tags("a"), Filters: []Filter{{Key: "b"}}},
			"InvalidParameter", http.StatusBadRequest},
		{"six filter values", ListQuery{Product: ECS, ResourceType: "instance", Filters: []Filter{{Key: "b", Values: make([]string, 6)}}},
			"InvalidTagCount", http.StatusBadRequest},
		{"51 resources", ListQuery{Product: ECS, ResourceType: "instance", ResourceIDs: make([]string, 51)}, "InvalidParameter", http.StatusBadRequest},
		{"MaxResults 51", ListQuery{Product: VPC, ResourceType: "VPC", MaxResults: 51}, "InvalidParameter", http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.ListTagResources(t.Context(), alice, c.q)
			wantCode(t, err, c.code, c.status, "")
		})
	}
}

func TestDeletedResourcesTagsAreNotListed(t *testing.T) {
	f := newFixture(t)
	f.seedTags()
	err := f.store.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteInstance(1, "i-1") })
	if err != nil {
		t.Fatalf("DeleteInstance: %v", err)
	}
	res, err := f.svc.DescribeTags(t.Context(), alice, DescribeQuery{ResourceType: "instance"})
	if err != nil || len(res.Tags) != 0 {
		t.Errorf("tags of a deleted instance: %v, %v", summaries(res), err)
	}
	all, err := f.svc.DescribeTags(t.Context(), alice, DescribeQuery{Tags: tags("env=prod")})
	if err != nil || len(all.Tags) != 1 || !maps.Equal(all.Tags[0].Resources, map[string]int{"disk": 1, "keypair": 1}) {
		t.Errorf("env=prod after the instance went: %v, %v", summaries(all), err)
	}
}
