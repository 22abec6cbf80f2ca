package storetest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

// tagCases cover store.TagTx.
var tagCases = []contractCase{
	{"Tag/PutReplacesValuesAndGetGroupsByResource", testTagPutAndGet},
	{"Tag/DeleteByKeysOrAll", testTagDelete},
	{"Tag/AccountsDoNotSeeOrTouchEachOthersTags", testTagAccountScope},
	{"Tag/ListFiltersByTypeIDAndTags", testTagListFilters},
	{"Tag/ListPagesAfterARow", testTagListPages},
	{"Tag/ListKeepsResourcesOfTheRegion", testTagListRegion},
	{"Tag/SummarizeCountsResourcesPerType", testTagSummaries},
}

// putTags commits tags ("key=value" strings) on one resource.
func putTags(t *testing.T, s store.Store, account int64, typ, id string, kvs ...string) {
	t.Helper()
	update(t, s, func(tx store.Tx) error { return tx.PutTags(account, typ, id, tagList(kvs...)) })
}

// tagList turns "key=value" strings into tags.
func tagList(kvs ...string) []store.Tag {
	out := make([]store.Tag, len(kvs))
	for i, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		out[i] = store.Tag{Key: k, Value: v}
	}
	return out
}

// getTags returns the tags of one resource.
func getTags(t *testing.T, s store.Store, account int64, typ, id string) []store.Tag {
	t.Helper()
	var out []store.Tag
	view(t, s, func(tx store.Tx) error {
		m, err := tx.GetTags(account, typ, []string{id})
		if err != nil {
			t.Fatalf("GetTags: %v", err)
		}
		out = m[id]
		return nil
	})
	return out
}

// listTags returns the rows matching f as "type/id/key=value" strings.
func listTags(t *testing.T, s store.Store, f store.TagFilter, p store.TagRowPage) []string {
	t.Helper()
	var out []string
	view(t, s, func(tx store.Tx) error {
		rows, err := tx.ListTags(f, p)
		if err != nil {
			t.Fatalf("ListTags(%+v): %v", f, err)
		}
		if rows == nil {
			t.Error("ListTags answered nil, want an empty slice")
		}
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s/%s/%s=%s", r.ResourceType, r.ResourceID, r.Key, r.Value))
		}
		return nil
	})
	return out
}

func testTagPutAndGet(t *testing.T, s store.Store) {
	putTags(t, s, 1, store.TagTypeSecurityGroup, "sg-1", "b=2", "a=1")
	putTags(t, s, 1, store.TagTypeSecurityGroup, "sg-1", "b=3", "c=")
	putTags(t, s, 1, store.TagTypeSecurityGroup, "sg-2", "a=x")
	putTags(t, s, 1, store.TagTypeInstance, "sg-1", "other=type")
	if got, want := getTags(t, s, 1, store.TagTypeSecurityGroup, "sg-1"), tagList("a=1", "b=3", "c="); !slices.Equal(got, want) {
		t.Errorf("after two puts: %v, want %v (ordered by key, later value wins)", got, want)
	}
	view(t, s, func(tx store.Tx) error {
		m, err := tx.GetTags(1, store.TagTypeSecurityGroup, []string{"sg-1", "sg-2", "sg-3"})
		if err != nil || len(m) != 2 || len(m["sg-1"]) != 3 || !slices.Equal(m["sg-2"], tagList("a=x")) {
			t.Errorf("GetTags of three = %v, %v; want sg-1 and sg-2 only", m, err)
		}
		none, err := tx.GetTags(1, store.TagTypeSecurityGroup, nil)
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("GetTags of none = %v, %v; want an empty map", none, err)
		}
		return nil
	})
}

func testTagDelete(t *testing.T, s store.Store) {
	putTags(t, s, 1, store.TagTypeDisk, "d-1", "a=1", "b=2", "c=3")
	putTags(t, s, 1, store.TagTypeDisk, "d-2", "a=1")
	update(t, s, func(tx store.Tx) error { return tx.DeleteTags(1, store.TagTypeDisk, "d-1", []string{"a", "missing"}) })
	update(t, s, func(tx store.Tx) error { return tx.DeleteTags(1, store.TagTypeDisk, "d-1", nil) })
	if got := getTags(t, s, 1, store.TagTypeDisk, "d-1"); !slices.Equal(got, tagList("b=2", "c=3")) {
		t.Errorf("after deleting a and a missing key: %v", got)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteAllTags(1, store.TagTypeDisk, "d-1") })
	update(t, s, func(tx store.Tx) error { return tx.DeleteAllTags(1, store.TagTypeDisk, "d-never") })
	if got := getTags(t, s, 1, store.TagTypeDisk, "d-1"); len(got) != 0 {
		t.Errorf("after DeleteAllTags: %v", got)
	}
	if got := getTags(t, s, 1, store.TagTypeDisk, "d-2"); !slices.Equal(got, tagList("a=1")) {
		t.Errorf("another resource lost its tags: %v", got)
	}
}

func testTagAccountScope(t *testing.T, s store.Store) {
	putTags(t, s, 1, store.TagTypeVPC, "vpc-1", "env=prod")
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutTags(2, store.TagTypeVPC, "vpc-1", tagList("env=stolen")); err != nil {
			return err
		}
		if err := tx.DeleteTags(2, store.TagTypeVPC, "vpc-1", []string{"env"}); err != nil {
			return err
		}
		return tx.DeleteAllTags(2, store.TagTypeVPC, "vpc-1")
	})
	if got := getTags(t, s, 1, store.TagTypeVPC, "vpc-1"); !slices.Equal(got, tagList("env=prod")) {
		t.Errorf("account 2 changed account 1's tags: %v", got)
	}
	if got := getTags(t, s, 2, store.TagTypeVPC, "vpc-1"); len(got) != 0 {
		t.Errorf("account 2 sees %v", got)
	}
	if got := listTags(t, s, store.TagFilter{AccountID: 2}, store.TagRowPage{}); len(got) != 0 {
		t.Errorf("account 2 lists %v", got)
	}
}

// seedTagRows tags resources of several types for account 1 (and one of
// account 2); no resource rows exist.
func seedTagRows(t *testing.T, s store.Store) {
	t.Helper()
	putTags(t, s, 1, store.TagTypeInstance, "i-1", "env=prod", "team=web")
	putTags(t, s, 1, store.TagTypeInstance, "i-2", "env=dev", "team=web")
	putTags(t, s, 1, store.TagTypeDisk, "d-1", "env=prod", "tier=hot")
	putTags(t, s, 1, store.TagTypeSecurityGroup, "sg-1", "envoy=yes")
	putTags(t, s, 2, store.TagTypeInstance, "i-9", "env=prod")
}

func testTagListFilters(t *testing.T, s store.Store) {
	seedTagRows(t, s)
	exact := func(key string, values ...string) store.TagMatch { return store.TagMatch{Key: key, Values: values} }
	for _, c := range []struct {
		name string
		f    store.TagFilter
		want []string
	}{
		{"everything of the account", store.TagFilter{AccountID: 1}, []string{"disk/d-1/env=prod", "disk/d-1/tier=hot",
			"instance/i-1/env=prod", "instance/i-1/team=web", "instance/i-2/env=dev", "instance/i-2/team=web", "securitygroup/sg-1/envoy=yes"}},
		{"by type", store.TagFilter{AccountID: 1, ResourceTypes: []string{store.TagTypeDisk, store.TagTypeSecurityGroup}},
			[]string{"disk/d-1/env=prod", "disk/d-1/tier=hot", "securitygroup/sg-1/envoy=yes"}},
		{"by resource", store.TagFilter{AccountID: 1, ResourceIDs: []string{"i-2"}}, []string{"instance/i-2/env=dev", "instance/i-2/team=web"}},
		{"by key", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{exact("env")}},
			[]string{"disk/d-1/env=prod", "instance/i-1/env=prod", "instance/i-2/env=dev"}},
		{"by key and value", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{exact("env", "prod")}},
			[]string{"disk/d-1/env=prod", "instance/i-1/env=prod"}},
		{"any of two tags", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{exact("env", "dev"), exact("tier")}},
			[]string{"disk/d-1/tier=hot", "instance/i-2/env=dev"}},
		{"resources with all tags", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{exact("env", "prod"), exact("team")}, TaggedWithAll: true},
			[]string{"instance/i-1/env=prod", "instance/i-1/team=web"}},
		{"several values", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{exact("env", "dev", "prod")}, ResourceTypes: []string{store.TagTypeInstance}},
			[]string{"instance/i-1/env=prod", "instance/i-2/env=dev"}},
		{"key prefix", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{{Key: "env*", Wildcard: true}}},
			[]string{"disk/d-1/env=prod", "instance/i-1/env=prod", "instance/i-2/env=dev", "securitygroup/sg-1/envoy=yes"}},
		{"value infix", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{{Key: "env", Values: []string{"*ro*"}, Wildcard: true}}},
			[]string{"disk/d-1/env=prod", "instance/i-1/env=prod"}},
		{"a star without Wildcard is a star", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{exact("env*")}}, nil},
		{"wildcards are case-sensitive", store.TagFilter{AccountID: 1, Tags: []store.TagMatch{{Key: "ENV*", Wildcard: true}}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := listTags(t, s, c.f, store.TagRowPage{}); !slices.Equal(got, c.want) {
				t.Errorf("ListTags = %v\nwant %v", got, c.want)
			}
		})
	}
}

func testTagListPages(t *testing.T, s store.Store) {
	seedTagRows(t, s)
	all := listTags(t, s, store.TagFilter{AccountID: 1}, store.TagRowPage{})
	var paged []string
	var after *store.TagRow
	for range 10 {
		var rows []store.TagRow
		view(t, s, func(tx store.Tx) error {
			var err error
			rows, err = tx.ListTags(store.TagFilter{AccountID: 1}, store.TagRowPage{After: after, Limit: 3})
			return err
		})
		if len(rows) > 3 {
			t.Fatalf("page of %d rows, limit 3", len(rows))
		}
		for _, r := range rows {
			paged = append(paged, fmt.Sprintf("%s/%s/%s=%s", r.ResourceType, r.ResourceID, r.Key, r.Value))
		}
		if len(rows) < 3 {
			break
		}
		last := rows[len(rows)-1]
		after = &store.TagRow{ResourceType: last.ResourceType, ResourceID: last.ResourceID, Key: last.Key}
	}
	if !slices.Equal(paged, all) {
		t.Errorf("pages of 3 = %v\nwant %v", paged, all)
	}
	// A cursor whose row has gone still positions the page.
	gone := &store.TagRow{ResourceType: store.TagTypeInstance, ResourceID: "i-1", Key: "envx"}
	if got := listTags(t, s, store.TagFilter{AccountID: 1}, store.TagRowPage{After: gone, Limit: 2}); !slices.Equal(got,
		[]string{"instance/i-1/team=web", "instance/i-2/env=dev"}) {
		t.Errorf("after a missing row: %v", got)
	}
}

func testTagListRegion(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, g := range []store.SecurityGroup{secGroup("sg-h", 1, "cn-hangzhou", when()), secGroup("sg-b", 1, "cn-beijing", when())} {
			if err := tx.CreateSecurityGroup(g); err != nil {
				return err
			}
		}
		if err := tx.CreateKeyPair(keyPair(1, "cn-hangzhou", "web", when())); err != nil {
			return err
		}
		if err := tx.CreateVPC(vpc("vpc-h", 1, "cn-hangzhou", when())); err != nil {
			return err
		}
		return tx.CreateInstance(instance("i-h", 1, when()))
	})
	kp := keyPair(1, "cn-hangzhou", "web", when()).ID
	putTags(t, s, 1, store.TagTypeSecurityGroup, "sg-h", "k=1")
	putTags(t, s, 1, store.TagTypeSecurityGroup, "sg-b", "k=2")
	putTags(t, s, 1, store.TagTypeSecurityGroup, "sg-gone", "k=3")
	putTags(t, s, 1, store.TagTypeKeyPair, kp, "k=4")
	putTags(t, s, 1, store.TagTypeVPC, "vpc-h", "k=5")
	putTags(t, s, 1, store.TagTypeInstance, "i-h", "k=6")
	putTags(t, s, 1, store.TagTypeImage, "m-1", "k=7")
	putTags(t, s, 1, store.TagTypeVSwitch, "sg-h", "k=8") // a VSwitch that does not exist, with a group's ID
	want := []string{"instance/i-h/k=6", "keypair/" + kp + "/k=4", "securitygroup/sg-h/k=1", "vpc/vpc-h/k=5"}
	if got := listTags(t, s, store.TagFilter{AccountID: 1, RegionID: "cn-hangzhou"}, store.TagRowPage{}); !slices.Equal(got, want) {
		t.Errorf("rows of cn-hangzhou = %v\nwant %v", got, want)
	}
	got := listTags(t, s, store.TagFilter{AccountID: 1, RegionID: "cn-beijing", ResourceTypes: []string{store.TagTypeSecurityGroup}}, store.TagRowPage{})
	if !slices.Equal(got, []string{"securitygroup/sg-b/k=2"}) {
		t.Errorf("groups of cn-beijing = %v", got)
	}
	if got := listTags(t, s, store.TagFilter{AccountID: 1, RegionID: "cn-hangzhou", ResourceTypes: []string{store.TagTypeImage}}, store.TagRowPage{}); len(got) != 0 {
		t.Errorf("images have no table, so no region: %v", got)
	}
	if got := listTags(t, s, store.TagFilter{AccountID: 2, RegionID: "cn-hangzhou"}, store.TagRowPage{}); len(got) != 0 {
		t.Errorf("account 2 in cn-hangzhou: %v", got)
	}
}

func testTagSummaries(t *testing.T, s store.Store) {
	seedTagRows(t, s)
	putTags(t, s, 1, store.TagTypeSecurityGroup, "sg-2", "env=prod")
	summarize := func(f store.TagFilter, p store.Page) ([]store.TagSummary, int) {
		var sums []store.TagSummary
		var total int
		view(t, s, func(tx store.Tx) error {
			var err error
			sums, total, err = tx.SummarizeTags(f, p)
			if err != nil {
				t.Fatalf("SummarizeTags: %v", err)
			}
			return nil
		})
		return sums, total
	}
	sums, total := summarize(store.TagFilter{AccountID: 1}, store.Page{})
	var pairs []string
	for _, sum := range sums {
		pairs = append(pairs, sum.Key+"="+sum.Value)
	}
	if want := []string{"env=dev", "env=prod", "envoy=yes", "team=web", "tier=hot"}; total != 5 || !slices.Equal(pairs, want) {
		t.Fatalf("summaries = %v (total %d), want %v", pairs, total, want)
	}
	prod := sums[1]
	if want := map[string]int{store.TagTypeInstance: 1, store.TagTypeDisk: 1, store.TagTypeSecurityGroup: 1}; !maps.Equal(prod.Resources, want) {
		t.Errorf("env=prod counts %v, want %v", prod.Resources, want)
	}
	page, total := summarize(store.TagFilter{AccountID: 1, Tags: []store.TagMatch{{Key: "env"}}}, store.Page{Number: 2, Size: 1})
	if total != 2 || len(page) != 1 || page[0].Key != "env" || page[0].Value != "prod" || page[0].Resources[store.TagTypeInstance] != 1 {
		t.Errorf("page 2 of env = %+v (total %d)", page, total)
	}
	typed, total := summarize(store.TagFilter{AccountID: 1, ResourceTypes: []string{store.TagTypeInstance}, Tags: []store.TagMatch{{Key: "env", Values: []string{"prod"}}}}, store.Page{})
	if total != 1 || len(typed) != 1 || !maps.Equal(typed[0].Resources, map[string]int{store.TagTypeInstance: 1}) {
		t.Errorf("env=prod on instances = %+v (total %d)", typed, total)
	}
	empty, total := summarize(store.TagFilter{AccountID: 3}, store.Page{Number: 1, Size: 10})
	if total != 0 || empty == nil || len(empty) != 0 {
		t.Errorf("no tags = %v, %d; want an empty slice", empty, total)
	}
}
