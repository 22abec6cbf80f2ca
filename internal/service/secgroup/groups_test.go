package secgroup

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/store"
)

func TestCreatedGroupAcceptsInnerTrafficAndHasNoRules(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{Name: "web", Description: "for demo"})
	if !strings.HasPrefix(id, "sg-bp") {
		t.Errorf("ID %q is not shaped like a cn-hangzhou security group ID", id)
	}
	d, err := f.svc.Describe(t.Context(), alice, id, RuleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	g := d.Group
	if g.Name != "web" || g.Description != "for demo" || g.InnerAccessPolicy != "Accept" || g.Type != "normal" ||
		g.VpcID != "" || g.RegionID != "cn-hangzhou" || len(d.Rules) != 0 {
		t.Errorf("new group %+v, rules %+v", g, d.Rules)
	}
	ent := f.group(alice, CreateInput{Type: TypeEnterprise})
	if d, _ := f.svc.Describe(t.Context(), alice, ent, RuleFilter{}); d.Group.InnerAccessPolicy != "Drop" {
		t.Errorf("an enterprise group starts with %q, want Drop", d.Group.InnerAccessPolicy)
	}
}

func TestCreateSecurityGroupChecksNameAndDescriptionLikeTheGuide(t *testing.T) {
	f := newFixture(t, Limits{})
	for _, name := range []string{"ok", "Web-01.a_b", "安全组", "网站-1"} {
		if _, err := f.svc.Create(t.Context(), alice, CreateInput{Name: name}); err != nil {
			t.Errorf("name %q: %v", name, err)
		}
	}
	for _, name := range []string{"a", "1web", "-web", "web group", "web:1", "http://web", strings.Repeat("a", 129)} {
		_, err := f.svc.Create(t.Context(), alice, CreateInput{Name: name})
		wantCode(t, err, "InvalidSecurityGroupName.Malformed", http.StatusBadRequest, "Specified security group name is not valid.")
	}
	for _, desc := range []string{"x", "https://example.com", strings.Repeat("d", 257)} {
		_, err := f.svc.Create(t.Context(), alice, CreateInput{Description: desc})
		wantCode(t, err, "InvalidDescription.Malformed", http.StatusBadRequest, `The specified parameter "Description" is not valid.`)
	}
}

func TestCreateSecurityGroupChecksTheVpc(t *testing.T) {
	f := newFixture(t, Limits{})
	f.vpc("vpc-ok", 1, "cn-hangzhou", "Available")
	f.vpc("vpc-pending", 1, "cn-hangzhou", "Pending")
	f.vpc("vpc-north", 1, "cn-beijing", "Available")
	f.vpc("vpc-bob", 2, "cn-hangzhou", "Available")
	id := f.group(alice, CreateInput{VpcID: "vpc-ok"})
	if d, _ := f.svc.Describe(t.Context(), alice, id, RuleFilter{}); d.Group.VpcID != "vpc-ok" {
		t.Errorf("VpcId %q", d.Group.VpcID)
	}
	for _, vpc := range []string{"vpc-missing", "vpc-north", "vpc-bob"} {
		_, err := f.svc.Create(t.Context(), alice, CreateInput{VpcID: vpc})
		wantCode(t, err, "InvalidVpcId.NotFound", http.StatusNotFound, "Specified VPC does not exist.")
	}
	_, err := f.svc.Create(t.Context(), alice, CreateInput{VpcID: "vpc-pending"})
	wantCode(t, err, "IncorrectVpcStatus", http.StatusBadRequest)
}

func TestCreateSecurityGroupBeyondTheAccountQuotaIsQuotaExceed(t *testing.T) {
	f := newFixture(t, Limits{GroupsPerAccount: 2})
	f.group(alice, CreateInput{})
	f.group(aliceNorth, CreateInput{}) // the quota counts every region
	_, err := f.svc.Create(t.Context(), alice, CreateInput{})
	wantCode(t, err, "QuotaExceed.SecurityGroup", http.StatusForbidden, "The security group quota exceeds.")
	f.group(bob, CreateInput{})
}

func TestCreateSecurityGroupWithAUsedClientTokenAnswersTheFirstGroup(t *testing.T) {
	f := newFixture(t, Limits{})
	in := CreateInput{Name: "web", ClientToken: "token-1"}
	first := f.group(alice, in)
	if again := f.group(alice, in); again != first {
		t.Fatalf("retry created %s, want %s", again, first)
	}
	in.Name = "other"
	_, err := f.svc.Create(t.Context(), alice, in)
	wantCode(t, err, "IdempotentParameterMismatch", http.StatusBadRequest)
	_, err = f.svc.Create(t.Context(), alice, CreateInput{ClientToken: strings.Repeat("t", 65)})
	wantCode(t, err, "InvalidParameter", http.StatusBadRequest)
	groups, total, _ := f.svc.List(t.Context(), alice, ListQuery{PageNumber: 1, PageSize: 50})
	if total != 1 || groups[0].Group.ID != first {
		t.Errorf("groups after retries: %d", total)
	}
}

func TestCreateSecurityGroupChecksItsTags(t *testing.T) {
	f := newFixture(t, Limits{})
	cases := []struct {
		tags []store.Tag
		code string
	}{
		{[]store.Tag{{Key: "", Value: "v"}}, "InvalidTag.Mismatch"},
		{[]store.Tag{{Key: ""}}, "InvalidTagKey.Malformed"},
		{[]store.Tag{{Key: "aliyun-x"}}, "InvalidTagKey.Malformed"},
		{[]store.Tag{{Key: strings.Repeat("k", 65)}}, "InvalidTagKey.Malformed"},
		{[]store.Tag{{Key: "k", Value: "http://x"}}, "InvalidTagValue.Malformed"},
		{make([]store.Tag, 21), "InvalidTagCount"},
	}
	for _, c := range cases {
		_, err := f.svc.Create(t.Context(), alice, CreateInput{Tags: c.tags})
		wantCode(t, err, c.code, http.StatusBadRequest)
	}
	id := f.group(alice, CreateInput{Tags: []store.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: ""}, {Key: "env", Value: "dev"}}})
	groups, _, _ := f.svc.List(t.Context(), alice, ListQuery{PageNumber: 1, PageSize: 10})
	if len(groups) != 1 || groups[0].Group.ID != id || !slices.Equal(groups[0].Tags, []store.Tag{{Key: "env", Value: "dev"}, {Key: "team", Value: ""}}) {
		t.Errorf("tags %+v", groups)
	}
}

func TestAnotherAccountsGroupAnswersLikeAMissingOne(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	north := f.group(aliceNorth, CreateInput{})
	for _, c := range []struct {
		who Caller
		id  string
	}{{bob, id}, {alice, north}, {alice, "sg-missing"}} {
		_, err := f.svc.Describe(t.Context(), c.who, c.id, RuleFilter{})
		wantCode(t, err, "InvalidSecurityGroupId.NotFound", http.StatusNotFound, "The SecurityGroupId provided does not exist in our records.")
		wantCode(t, f.svc.Delete(t.Context(), c.who, c.id), "InvalidSecurityGroupId.NotFound", http.StatusNotFound)
		wantCode(t, f.svc.ModifyAttribute(t.Context(), c.who, c.id, ptr("x1"), nil), "InvalidSecurityGroupId.NotFound", http.StatusNotFound)
		wantCode(t, f.svc.ModifyPolicy(t.Context(), c.who, c.id, "drop"), "InvalidSecurityGroupId.NotFound", http.StatusNotFound)
		wantCode(t, f.svc.Authorize(t.Context(), c.who, c.id, false, []RuleSpec{tcp("22/22", "0.0.0.0/0")}),
			"InvalidSecurityGroupId.NotFound", http.StatusNotFound)
		wantCode(t, f.svc.ModifyRule(t.Context(), c.who, c.id, RuleSpec{IPProtocol: "tcp", PortRange: "22/22", PeerCidrIP: "1.2.3.4", Description: ptr("d")}),
			"InvalidSecurityGroupId.NotFound", http.StatusNotFound, "The specified SecurityGroupId does not exist.")
		_, err = f.svc.References(t.Context(), c.who, []string{c.id})
		wantCode(t, err, "InvalidSecurityGroupId.NotFound", http.StatusNotFound, "The specified SecurityGroupId does not exist.")
	}
	if groups, total, _ := f.svc.List(t.Context(), bob, ListQuery{IDs: []string{id}, PageNumber: 1, PageSize: 10}); total != 0 || len(groups) != 0 {
		t.Errorf("bob lists alice's group: %+v", groups)
	}
}

func TestDeleteSecurityGroupNamedByAnotherGroupsRuleIsDependencyViolation(t *testing.T) {
	f := newFixture(t, Limits{})
	target := f.group(alice, CreateInput{})
	mine := f.group(alice, CreateInput{})
	theirs := f.group(bob, CreateInput{})
	byGroup := RuleSpec{IPProtocol: "all", PortRange: "-1/-1", NicType: "intranet", PeerGroupID: target, PeerOwnerAccount: "alice"}
	f.must(f.svc.Authorize(t.Context(), bob, theirs, false, []RuleSpec{byGroup}))
	wantCode(t, f.svc.Delete(t.Context(), alice, target), "DependencyViolation", http.StatusForbidden,
		"The specified security group has been authorized in another one of another user account")
	byGroup.PeerOwnerAccount = ""
	f.must(f.svc.Authorize(t.Context(), alice, mine, true, []RuleSpec{byGroup}))
	wantCode(t, f.svc.Delete(t.Context(), alice, target), "DependencyViolation", http.StatusForbidden,
		"The specified security group has been authorized in another one.")
	// A group's own rules naming others do not keep it: mine goes, with its rules.
	f.must(f.svc.Delete(t.Context(), alice, mine))
	f.must(f.svc.Revoke(t.Context(), bob, theirs, false, []RuleSpec{{IPProtocol: "all", PortRange: "-1/-1", NicType: "intranet",
		PeerGroupID: target, PeerOwnerID: "1"}}))
	f.must(f.svc.Delete(t.Context(), alice, target))
	wantCode(t, f.svc.Delete(t.Context(), alice, target), "InvalidSecurityGroupId.NotFound", http.StatusNotFound)
}

func TestDeleteSecurityGroupWithInstancesIsDependencyViolation(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	f.instances[id] = 2
	wantCode(t, f.svc.Delete(t.Context(), alice, id), "DependencyViolation", http.StatusForbidden,
		"There is still instance(s) in the specified security group.")
	groups, _, _ := f.svc.List(t.Context(), alice, ListQuery{PageNumber: 1, PageSize: 10})
	if groups[0].Instances != 2 || groups[0].Available != 998 {
		t.Errorf("EcsCount %d, AvailableInstanceAmount %d", groups[0].Instances, groups[0].Available)
	}
	f.instances[id] = 0
	f.must(f.svc.Delete(t.Context(), alice, id))
}

func TestModifySecurityGroupAttributeRenamesAndClearsTheDescription(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{Name: "old", Description: "old text"})
	f.must(f.svc.ModifyAttribute(t.Context(), alice, id, ptr("new-name"), nil))
	d, _ := f.svc.Describe(t.Context(), alice, id, RuleFilter{})
	if d.Group.Name != "new-name" || d.Group.Description != "old text" {
		t.Errorf("after rename: %+v", d.Group)
	}
	f.must(f.svc.ModifyAttribute(t.Context(), alice, id, ptr(""), ptr("")))
	d, _ = f.svc.Describe(t.Context(), alice, id, RuleFilter{})
	if d.Group.Name != "new-name" || d.Group.Description != "" {
		t.Errorf("after clearing the description: %+v", d.Group)
	}
	wantCode(t, f.svc.ModifyAttribute(t.Context(), alice, id, ptr("9lives"), nil), "InvalidSecurityGroupName.Malformed", http.StatusBadRequest)
	wantCode(t, f.svc.ModifyAttribute(t.Context(), alice, id, nil, ptr("http://x")), "InvalidDescription.Malformed", http.StatusBadRequest)
}

func TestModifySecurityGroupPolicyTakesAcceptOrDropInAnyCase(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	for policy, want := range map[string]string{"DROP": "Drop", "accept": "Accept", "Drop": "Drop"} {
		f.must(f.svc.ModifyPolicy(t.Context(), alice, id, policy))
		if d, _ := f.svc.Describe(t.Context(), alice, id, RuleFilter{}); d.Group.InnerAccessPolicy != want {
			t.Errorf("%s: InnerAccessPolicy %q", policy, d.Group.InnerAccessPolicy)
		}
	}
	for _, policy := range []string{"", "allow"} {
		wantCode(t, f.svc.ModifyPolicy(t.Context(), alice, id, policy), "InvalidPolicy.Malformed", http.StatusBadRequest,
			"The InnerAccessPolicy is invalid. Only Accept and Drop are supported.")
	}
	for _, bad := range []string{"", "sg/1", strings.Repeat("s", 101)} {
		wantCode(t, f.svc.ModifyPolicy(t.Context(), alice, bad, "Drop"), "InvalidSecurityGroupId.Malformed", http.StatusBadRequest)
	}
}

func TestDescribeSecurityGroupsFiltersAndPages(t *testing.T) {
	f := newFixture(t, Limits{})
	f.vpc("vpc-1", 1, "cn-hangzhou", "Available")
	var ids []string
	for i := range 5 {
		in := CreateInput{Tags: []store.Tag{{Key: "n", Value: string(rune('a' + i))}}}
		if i%2 == 0 {
			in.VpcID, in.Tags = "vpc-1", append(in.Tags, store.Tag{Key: "even"})
		}
		ids = append(ids, f.group(alice, in))
	}
	f.group(aliceNorth, CreateInput{})
	cases := []struct {
		name  string
		q     ListQuery
		want  []string
		total int
	}{
		{"page 1 of 2, newest first", ListQuery{PageNumber: 1, PageSize: 3}, []string{ids[4], ids[3], ids[2]}, 5},
		{"page 2 of 2", ListQuery{PageNumber: 2, PageSize: 3}, []string{ids[1], ids[0]}, 5},
		{"by VPC", ListQuery{VpcID: "vpc-1", PageNumber: 1, PageSize: 10}, []string{ids[4], ids[2], ids[0]}, 3},
		{"classic network", ListQuery{NetworkType: "classic", PageNumber: 1, PageSize: 10}, []string{ids[3], ids[1]}, 2},
		{"by tag key", ListQuery{Tags: []store.Tag{{Key: "even"}}, PageNumber: 1, PageSize: 10}, []string{ids[4], ids[2], ids[0]}, 3},
		{"by tag key and value", ListQuery{Tags: []store.Tag{{Key: "n", Value: "b"}}, PageNumber: 1, PageSize: 10}, []string{ids[1]}, 1},
		{"by IDs", ListQuery{IDs: []string{ids[0], ids[3]}, PageNumber: 1, PageSize: 10}, []string{ids[3], ids[0]}, 2},
	}
	for _, c := range cases {
		groups, total, err := f.svc.List(t.Context(), alice, c.q)
		var got []string
		for _, g := range groups {
			got = append(got, g.Group.ID)
		}
		if err != nil || total != c.total || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v (%d), %v; want %v (%d)", c.name, got, total, err, c.want, c.total)
		}
	}
	_, _, err := f.svc.List(t.Context(), alice, ListQuery{Tags: make([]store.Tag, 6), PageNumber: 1, PageSize: 10})
	wantCode(t, err, "InvalidTagCount", http.StatusBadRequest)
	_, _, err = f.svc.List(t.Context(), alice, ListQuery{Tags: []store.Tag{{Value: "v"}}, PageNumber: 1, PageSize: 10})
	wantCode(t, err, "InvalidTagKey.Malformed", http.StatusBadRequest)
}

func TestDescribeSecurityGroupsCountsRules(t *testing.T) {
	f := newFixture(t, Limits{})
	id := f.group(alice, CreateInput{})
	peer := f.group(alice, CreateInput{})
	f.must(f.svc.Authorize(t.Context(), alice, id, false, []RuleSpec{tcp("22/22", "0.0.0.0/0"),
		{IPProtocol: "all", PortRange: "-1/-1", NicType: "intranet", PeerGroupID: peer}}))
	groups, _, _ := f.svc.List(t.Context(), alice, ListQuery{IDs: []string{id}, PageNumber: 1, PageSize: 10})
	if groups[0].Rules.Rules != 2 || groups[0].Rules.GroupToGroup != 1 {
		t.Errorf("rule counts %+v", groups[0].Rules)
	}
}

func TestDescribeSecurityGroupReferencesListsReferencingGroupsOfEveryAccount(t *testing.T) {
	f := newFixture(t, Limits{})
	target := f.group(alice, CreateInput{})
	lonely := f.group(alice, CreateInput{})
	mine := f.group(alice, CreateInput{})
	theirs := f.group(bob, CreateInput{})
	rule := RuleSpec{IPProtocol: "tcp", PortRange: "80/80", NicType: "intranet", PeerGroupID: target}
	f.must(f.svc.Authorize(t.Context(), alice, mine, false, []RuleSpec{rule}))
	f.must(f.svc.Authorize(t.Context(), alice, mine, true, []RuleSpec{rule}))
	rule.PeerOwnerID = "1"
	f.must(f.svc.Authorize(t.Context(), bob, theirs, true, []RuleSpec{rule}))
	refs, err := f.svc.References(t.Context(), alice, []string{target, lonely})
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 1 || refs[0].GroupID != target || len(refs[0].Referencing) != 2 {
		t.Fatalf("references %+v", refs)
	}
	got := map[string]int64{}
	for _, r := range refs[0].Referencing {
		got[r.ReferencingGroupID] = r.ReferencingAccountID
	}
	if got[mine] != 1 || got[theirs] != 2 {
		t.Errorf("referencing groups %v", got)
	}
	for _, n := range []int{0, 11} {
		_, err := f.svc.References(t.Context(), alice, slices.Repeat([]string{target}, n))
		wantCode(t, err, "Abs.GroupNos.Malformed", http.StatusBadRequest)
	}
}

func TestDeleteSecurityGroupCountsTheInstancesThatJoinedIt(t *testing.T) {
	f := newFixture(t, Limits{})
	f.svc = New(Deps{Store: f.store, IDs: ids.Seeded(2), Clock: f.clock}) // the store's memberships
	id := f.group(alice, CreateInput{})
	join := func(groups ...string) {
		f.must(f.store.Update(t.Context(), func(tx store.Tx) error { return tx.SetInstanceSecurityGroups(1, "i-1", groups) }))
	}
	join(id)
	wantCode(t, f.svc.Delete(t.Context(), alice, id), "DependencyViolation", http.StatusForbidden,
		"There is still instance(s) in the specified security group.")
	groups, _, _ := f.svc.List(t.Context(), alice, ListQuery{PageNumber: 1, PageSize: 10})
	if groups[0].Instances != 1 {
		t.Errorf("EcsCount %d, want 1", groups[0].Instances)
	}
	join()
	f.must(f.svc.Delete(t.Context(), alice, id))
}
