package tag

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/store"
)

func TestValidateAppliesTheKeyAndValueRulesOfAddTags(t *testing.T) {
	for _, c := range []struct {
		name string
		tags []store.Tag
		code string
	}{
		{"empty key", tags("=v"), "InvalidTag.Mismatch"},
		{"no key, no value", []store.Tag{{}}, "InvalidTagKey.Malformed"},
		{"key of 65 characters", []store.Tag{{Key: strings.Repeat("é", 65)}}, "InvalidTagKey.Malformed"},
		{"key starting with aliyun", tags("aliyun-env=x"), "InvalidTagKey.Malformed"},
		{"key starting with http://", tags("http://x=y"), "InvalidTagKey.Malformed"},
		{"key starting with https://", tags("https://x=y"), "InvalidTagKey.Malformed"},
		{"value of 129 characters", []store.Tag{{Key: "k", Value: strings.Repeat("v", 129)}}, "InvalidTagValue.Malformed"},
		{"value starting with aliyun", tags("k=aliyunx"), "InvalidTagValue.Malformed"},
		{"value starting with https://", tags("k=https://x"), "InvalidTagValue.Malformed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Validate(c.tags)
			wantCode(t, err, c.code, http.StatusBadRequest, "")
		})
	}
	got, err := Validate([]store.Tag{{Key: strings.Repeat("é", 64), Value: strings.Repeat("v", 128)}, {Key: "a"}, {Key: "Aliyun", Value: "x"}})
	if err != nil || len(got) != 3 {
		t.Errorf("keys of 64 and values of 128 characters, empty values and other cases are fine: %v, %v", got, err)
	}
	got, err = Validate(tags("b=1", "a=2", "b=3"))
	if err != nil || !slices.Equal(got, tags("b=3", "a=2")) {
		t.Errorf("a repeated key takes the later value, in first-seen order: %v, %v", got, err)
	}
}

func TestCheckQuotaCountsOnlyNewKeysAgainstTheLimit(t *testing.T) {
	if err := CheckQuota(numbered(9), tags("new=1"), 10); err != nil {
		t.Errorf("tenth tag: %v", err)
	}
	wantCode(t, CheckQuota(numbered(10), tags("new=1"), 10), "OperationDenied.QuotaExceed", http.StatusBadRequest,
		"The quota of tags on resource is beyond permitted range.")
	if err := CheckQuota(numbered(12), tags("k3=changed"), 10); err != nil {
		t.Errorf("changing a value of a resource over the limit: %v", err)
	}
}

func TestAddTagsPutsUpToFiveTagsAndOverwritesValues(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddTags(t.Context(), alice, "securitygroup", "sg-1", tags("env=dev", "team=web")); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddTags(t.Context(), alice, "securitygroup", "sg-1", tags("env=prod")); err != nil {
		t.Fatal(err)
	}
	if got := f.tagsOf("securitygroup", "sg-1"); !slices.Equal(got, tags("env=prod", "team=web")) {
		t.Errorf("tags %v", got)
	}
	wantCode(t, f.svc.AddTags(t.Context(), alice, "securitygroup", "sg-1", numbered(6)), "InvalidTagCount", http.StatusBadRequest,
		"The specified tags are beyond the permitted range.")
	wantCode(t, f.svc.AddTags(t.Context(), alice, "securitygroup", "sg-1", nil), "MissingParameter", http.StatusBadRequest, "")
	wantCode(t, f.svc.AddTags(t.Context(), alice, "securitygroup", "", tags("a=b")), "MissingParameter", http.StatusBadRequest, "")
	wantCode(t, f.svc.AddTags(t.Context(), alice, "", "sg-1", tags("a=b")), "MissingParameter", http.StatusBadRequest, "")
}

func TestAddTagsRefusesTheEleventhTagOfAResource(t *testing.T) {
	f := newFixture(t)
	for _, batch := range [][]store.Tag{numbered(10)[:5], numbered(10)[5:]} {
		if err := f.svc.AddTags(t.Context(), alice, "disk", "d-1", batch); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, f.svc.AddTags(t.Context(), alice, "disk", "d-1", tags("k0=new", "eleventh=x")), "OperationDenied.QuotaExceed",
		http.StatusBadRequest, "")
	if got := f.tagsOf("disk", "d-1"); len(got) != 10 || got[0] != (store.Tag{Key: "k0", Value: "v0"}) {
		t.Errorf("a refused call changed nothing: %v", got)
	}
	if err := f.svc.AddTags(t.Context(), alice, "disk", "d-1", tags("k0=new")); err != nil {
		t.Errorf("overwriting a value at the limit: %v", err)
	}
}

func TestAddTagsFindsEveryResourceTypeInTheCallersAccountAndRegion(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ typ, id, stored, storedID string }{
		{"instance", "i-1", store.TagTypeInstance, "i-1"},
		{"disk", "d-1", store.TagTypeDisk, "d-1"},
		{"snapshot", "s-1", store.TagTypeSnapshot, "s-1"},
		{"securitygroup", "sg-1", store.TagTypeSecurityGroup, "sg-1"},
		{"keypair", "web", store.TagTypeKeyPair, "kp-internal-1"},
		{"image", customImage, store.TagTypeImage, customImage},
	} {
		if err := f.svc.AddTags(t.Context(), alice, c.typ, c.id, tags("env=prod")); err != nil {
			t.Errorf("%s %s: %v", c.typ, c.id, err)
			continue
		}
		if got := f.tagsOf(c.stored, c.storedID); !slices.Equal(got, tags("env=prod")) {
			t.Errorf("%s %s carries %v", c.typ, c.id, got)
		}
	}
	for _, c := range []struct {
		name   string
		caller Caller
		typ    string
		id     string
		code   string
		status int
	}{
		{"another account's group", bob, "securitygroup", "sg-1", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"a group of another region", aliceNorth, "securitygroup", "sg-1", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"an unknown instance", alice, "instance", "i-nope", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"a key pair of another region", aliceNorth, "keypair", "web", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"another account's snapshot", bob, "snapshot", "s-1", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"a snapshot of another region", aliceNorth, "snapshot", "s-1", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"an unknown snapshot", alice, "snapshot", "s-nope", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"a system image", alice, "image", f.systemImage, "InvalidResourceId.NotSupported", http.StatusForbidden},
		{"an unknown image", alice, "image", "m-nope", "InvalidResourceId.NotFound", http.StatusNotFound},
		{"another account's custom image", bob, "image", customImage, "InvalidResourceId.NotFound", http.StatusNotFound},
		{"an unknown type", alice, "bucket", "b-1", "InvalidResourceType.NotFound", http.StatusNotFound},
		{"a type in upper case (the guide's values are lower case)", alice, "Instance", "i-1", "InvalidResourceType.NotFound", http.StatusNotFound},
		{"a VPC type through ECS", alice, "VPC", "vpc-1", "InvalidResourceType.NotFound", http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, f.svc.AddTags(t.Context(), c.caller, c.typ, c.id, tags("env=prod")), c.code, c.status, "")
		})
	}
}

func TestRemoveTagsRemovesByKeyByKeyAndValueOrEverything(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.AddTags(t.Context(), alice, "keypair", "web", tags("a=1", "b=2", "c=3", "d=4")); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemoveTags(t.Context(), alice, "keypair", "web", tags("a", "b=other", "c=3", "missing")); err != nil {
		t.Fatal(err)
	}
	if got := f.tagsOf(store.TagTypeKeyPair, "kp-internal-1"); !slices.Equal(got, tags("b=2", "d=4")) {
		t.Errorf("after removing a (any value), b=other (no match) and c=3: %v", got)
	}
	if err := f.svc.RemoveTags(t.Context(), alice, "keypair", "web", nil); err != nil {
		t.Fatal(err)
	}
	if got := f.tagsOf(store.TagTypeKeyPair, "kp-internal-1"); len(got) != 0 {
		t.Errorf("RemoveTags without Tag.n leaves %v", got)
	}
	wantCode(t, f.svc.RemoveTags(t.Context(), alice, "keypair", "nope", nil), "InvalidResourceId.NotFound", http.StatusNotFound,
		"The specified ResourceId is not found in our records")
	wantCode(t, f.svc.RemoveTags(t.Context(), alice, "keypair", "web", numbered(6)), "InvalidTagCount", http.StatusBadRequest,
		"The specified tags are beyond the permitted range")
	wantCode(t, f.svc.RemoveTags(t.Context(), alice, "volume", "v-1", nil), "InvalidResourceType.NotFound", http.StatusNotFound, "")
}

func TestTagResourcesTagsManyResourcesAllOrNothing(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.TagResources(t.Context(), alice, ECS, "securitygroup", []string{"sg-1", "sg-2"}, numbered(20)[:10]); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"sg-1", "sg-2"} {
		if got := f.tagsOf("securitygroup", id); len(got) != 10 {
			t.Errorf("%s has %d tags", id, len(got))
		}
	}
	err := f.svc.TagResources(t.Context(), alice, ECS, "instance", []string{"i-1", "i-missing"}, tags("env=prod"))
	wantCode(t, err, "InvalidResourceId.NotFound", http.StatusNotFound, "The specified ResourceId is not found in our records.")
	if got := f.tagsOf("instance", "i-1"); len(got) != 0 {
		t.Errorf("a failed TagResources tagged i-1: %v", got)
	}
	wantCode(t, f.svc.TagResources(t.Context(), alice, ECS, "securitygroup", []string{"sg-1"}, numbered(21)), "InvalidTagCount",
		http.StatusBadRequest, "")
	wantCode(t, f.svc.TagResources(t.Context(), alice, ECS, "securitygroup", []string{"sg-1"}, tags("eleventh=x")),
		"OperationDenied.QuotaExceed", http.StatusBadRequest, "")
	many := make([]string, 51)
	for i := range many {
		many[i] = "sg-1"
	}
	wantCode(t, f.svc.TagResources(t.Context(), alice, ECS, "securitygroup", many, tags("a=b")), "InvalidParameter", http.StatusBadRequest, "")
	wantCode(t, f.svc.TagResources(t.Context(), alice, ECS, "securitygroup", nil, tags("a=b")), "MissingParameter", http.StatusBadRequest, "")
}

func TestVPCTagResourcesTagsVPCsAndVSwitchesUpToTwentyTags(t *testing.T) {
	f := newFixture(t)
	if err := f.svc.TagResources(t.Context(), alice, VPC, "VPC", []string{"vpc-1"}, numbered(20)); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.TagResources(t.Context(), alice, VPC, "vswitch", []string{"vsw-1"}, tags("tier=web")); err != nil {
		t.Fatalf("VPC resource types are matched without regard to case: %v", err)
	}
	if got := f.tagsOf(store.TagTypeVPC, "vpc-1"); len(got) != 20 {
		t.Errorf("vpc-1 has %d tags", len(got))
	}
	wantCode(t, f.svc.TagResources(t.Context(), alice, VPC, "VPC", []string{"vpc-1"}, tags("k20=x")), "OperationDenied.QuotaExceed",
		http.StatusBadRequest, "")
	wantCode(t, f.svc.TagResources(t.Context(), alice, VPC, "instance", []string{"i-1"}, tags("a=b")), "InvalidResourceType.NotFound",
		http.StatusNotFound, "")
	wantCode(t, f.svc.TagResources(t.Context(), bob, VPC, "VPC", []string{"vpc-1"}, tags("a=b")), "InvalidResourceId.NotFound",
		http.StatusNotFound, "")
}

func TestUntagResourcesRemovesKeysOrAll(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"sg-1", "sg-2"} {
		if err := f.svc.TagResources(t.Context(), alice, ECS, "securitygroup", []string{id}, tags("a=1", "b=2", "c=3")); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.UntagResources(t.Context(), alice, ECS, "securitygroup", []string{"sg-1", "sg-2"}, []string{"a", "zz"}, true); err != nil {
		t.Fatal(err)
	}
	if got := f.tagsOf("securitygroup", "sg-2"); !slices.Equal(got, tags("b=2", "c=3")) {
		t.Errorf("TagKey.N wins over All: %v", got)
	}
	if err := f.svc.UntagResources(t.Context(), alice, ECS, "securitygroup", []string{"sg-1"}, nil, false); err != nil {
		t.Fatal(err)
	}
	if got := f.tagsOf("securitygroup", "sg-1"); len(got) != 2 {
		t.Errorf("neither keys nor All removes nothing: %v", got)
	}
	if err := f.svc.UntagResources(t.Context(), alice, ECS, "securitygroup", []string{"sg-1"}, nil, true); err != nil {
		t.Fatal(err)
	}
	if got := f.tagsOf("securitygroup", "sg-1"); len(got) != 0 {
		t.Errorf("All=true leaves %v", got)
	}
	wantCode(t, f.svc.UntagResources(t.Context(), alice, ECS, "securitygroup", []string{"sg-bob"}, []string{"a"}, false),
		"InvalidResourceId.NotFound", http.StatusNotFound, "")
	keys := make([]string, 21)
	for i := range keys {
		keys[i] = "k"
	}
	wantCode(t, f.svc.UntagResources(t.Context(), alice, ECS, "securitygroup", []string{"sg-1"}, keys, false), "InvalidTagCount",
		http.StatusBadRequest, "")
}
