package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// securityGroupCases cover store.SecurityGroupTx.
var securityGroupCases = []contractCase{
	{"SecurityGroup/RoundTripAndAccountScope", testSecurityGroupRoundTrip},
	{"SecurityGroup/ListFiltersAndPages", testSecurityGroupList},
	{"SecurityGroup/ListByTags", testSecurityGroupListByTags},
	{"SecurityGroup/CountPerAccount", testSecurityGroupCount},
	{"SecurityGroup/DeleteTakesRulesAndTags", testSecurityGroupDeleteCascades},
	{"SecurityGroupRule/RoundTripUpdateDelete", testSecurityGroupRuleRoundTrip},
	{"SecurityGroupRule/Counts", testSecurityGroupRuleCounts},
	{"SecurityGroupRule/ReferencesAcrossAccounts", testSecurityGroupReferences},
	{"SecurityGroupTag/PutReplacesValues", testSecurityGroupTags},
}

func secGroup(id string, account int64, region string, created time.Time) store.SecurityGroup {
	return store.SecurityGroup{ID: id, AccountID: account, RegionID: region, Name: "n-" + id, Description: "d-" + id,
		Type: "normal", InnerAccessPolicy: "Accept", CreatedAt: created}
}

func secRule(id, group string, account int64, created time.Time) store.SecurityGroupRule {
	return store.SecurityGroupRule{ID: id, AccountID: account, SecurityGroupID: group, Direction: "ingress", IPProtocol: "tcp",
		PortRange: "22/22", NicType: "intranet", Policy: "accept", Priority: 1, SourceCidrIP: "10.0.0.0/8", Description: "ssh",
		CreatedAt: created}
}

func groupIDs(gs []store.SecurityGroup) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

func testSecurityGroupRoundTrip(t *testing.T, s store.Store) {
	g := secGroup("sg-1", 1, "cn-hangzhou", when().UTC())
	g.VpcID, g.ResourceGroupID = "vpc-1", "rg-1"
	update(t, s, func(tx store.Tx) error { return tx.CreateSecurityGroup(g) })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateSecurityGroup(g) })
	wantErr(t, "CreateSecurityGroup twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetSecurityGroup(1, "sg-1")
		if err != nil || got != g {
			t.Errorf("GetSecurityGroup = %+v, %v; want %+v", got, err, g)
		}
		_, err = tx.GetSecurityGroup(2, "sg-1")
		wantErr(t, "GetSecurityGroup of another account", err, store.ErrNotFound)
		return nil
	})
	g.Name, g.Description, g.InnerAccessPolicy = "renamed", "", "Drop"
	update(t, s, func(tx store.Tx) error { return tx.UpdateSecurityGroup(g) })
	view(t, s, func(tx store.Tx) error {
		if got, _ := tx.GetSecurityGroup(1, "sg-1"); got != g {
			t.Errorf("after UpdateSecurityGroup: %+v", got)
		}
		return nil
	})
	other := g
	other.AccountID = 2
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateSecurityGroup(other) })
	wantErr(t, "UpdateSecurityGroup of another account", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteSecurityGroup(2, "sg-1") })
	wantErr(t, "DeleteSecurityGroup of another account", err, store.ErrNotFound)
	update(t, s, func(tx store.Tx) error { return tx.DeleteSecurityGroup(1, "sg-1") })
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteSecurityGroup(1, "sg-1") })
	wantErr(t, "DeleteSecurityGroup twice", err, store.ErrNotFound)
}

func testSecurityGroupList(t *testing.T, s store.Store) {
	base := when()
	update(t, s, func(tx store.Tx) error {
		for i, id := range []string{"sg-a", "sg-b", "sg-c"} {
			g := secGroup(id, 1, "cn-hangzhou", base.Add(time.Duration(i)*time.Second))
			if id == "sg-b" {
				g.VpcID, g.Type, g.ResourceGroupID = "vpc-1", "enterprise", "rg-1"
			}
			if err := tx.CreateSecurityGroup(g); err != nil {
				return err
			}
		}
		if err := tx.CreateSecurityGroup(secGroup("sg-x", 1, "cn-beijing", base)); err != nil {
			return err
		}
		return tx.CreateSecurityGroup(secGroup("sg-y", 2, "cn-hangzhou", base))
	})
	yes, no := true, false
	cases := []struct {
		name  string
		f     store.SecurityGroupFilter
		want  []string
		total int
	}{
		{"region, newest first", store.SecurityGroupFilter{AccountID: 1, RegionID: "cn-hangzhou"}, []string{"sg-c", "sg-b", "sg-a"}, 3},
		{"page 2 of 2", store.SecurityGroupFilter{AccountID: 1, RegionID: "cn-hangzhou", Page: store.Page{Number: 2, Size: 2}}, []string{"sg-a"}, 3},
		{"IDs of the account only", store.SecurityGroupFilter{AccountID: 1, IDs: []string{"sg-a", "sg-x", "sg-y"}}, []string{"sg-a", "sg-x"}, 2},
		{"VPC", store.SecurityGroupFilter{AccountID: 1, VpcID: "vpc-1"}, []string{"sg-b"}, 1},
		{"in a VPC", store.SecurityGroupFilter{AccountID: 1, RegionID: "cn-hangzhou", InVPC: &yes}, []string{"sg-b"}, 1},
		{"without a VPC", store.SecurityGroupFilter{AccountID: 1, RegionID: "cn-hangzhou", InVPC: &no}, []string{"sg-c", "sg-a"}, 2},
		{"name", store.SecurityGroupFilter{AccountID: 1, Name: "n-sg-c"}, []string{"sg-c"}, 1},
		{"type", store.SecurityGroupFilter{AccountID: 1, Type: "enterprise"}, []string{"sg-b"}, 1},
		{"resource group", store.SecurityGroupFilter{AccountID: 1, ResourceGroupID: "rg-1"}, []string{"sg-b"}, 1},
	}
	view(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			got, total, err := tx.ListSecurityGroups(c.f)
			if err != nil || total != c.total || !slices.Equal(groupIDs(got), c.want) {
				t.Errorf("%s: ListSecurityGroups = %v, %d, %v; want %v, %d", c.name, groupIDs(got), total, err, c.want, c.total)
			}
		}
		return nil
	})
}

func testSecurityGroupListByTags(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"sg-a", "sg-b", "sg-c"} {
			if err := tx.CreateSecurityGroup(secGroup(id, 1, "cn-hangzhou", when())); err != nil {
				return err
			}
		}
		if err := tx.CreateSecurityGroup(secGroup("sg-y", 2, "cn-hangzhou", when())); err != nil {
			return err
		}
		if err := tx.PutSecurityGroupTags(1, "sg-a", []store.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "web"}}); err != nil {
			return err
		}
		if err := tx.PutSecurityGroupTags(1, "sg-b", []store.Tag{{Key: "env", Value: "dev"}}); err != nil {
			return err
		}
		return tx.PutSecurityGroupTags(2, "sg-y", []store.Tag{{Key: "env", Value: "prod"}})
	})
	cases := []struct {
		tags []store.Tag
		want []string
	}{
		{[]store.Tag{{Key: "env", Value: "prod"}}, []string{"sg-a"}},
		{[]store.Tag{{Key: "env"}}, []string{"sg-a", "sg-b"}},
		{[]store.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "web"}}, []string{"sg-a"}},
		{[]store.Tag{{Key: "env", Value: "dev"}, {Key: "team", Value: "web"}}, []string{}},
		{[]store.Tag{{Key: "nope"}}, []string{}},
	}
	view(t, s, func(tx store.Tx) error {
		for _, c := range cases {
			got, total, err := tx.ListSecurityGroups(store.SecurityGroupFilter{AccountID: 1, Tags: c.tags})
			ids := groupIDs(got)
			slices.Sort(ids)
			if err != nil || total != len(c.want) || !slices.Equal(ids, c.want) {
				t.Errorf("tags %v: ListSecurityGroups = %v, %d, %v; want %v", c.tags, ids, total, err, c.want)
			}
		}
		return nil
	})
}

func testSecurityGroupCount(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, region := range []string{"cn-hangzhou", "cn-beijing", "cn-hangzhou"} {
			if err := tx.CreateSecurityGroup(secGroup(fmt.Sprintf("sg-%d", i), 1, region, when())); err != nil {
				return err
			}
		}
		return tx.CreateSecurityGroup(secGroup("sg-other", 2, "cn-hangzhou", when()))
	})
	view(t, s, func(tx store.Tx) error {
		if n, err := tx.CountSecurityGroups(1); err != nil || n != 3 {
			t.Errorf("CountSecurityGroups(1) = %d, %v; want 3 (every region)", n, err)
		}
		if n, err := tx.CountSecurityGroups(3); err != nil || n != 0 {
			t.Errorf("CountSecurityGroups(3) = %d, %v; want 0", n, err)
		}
		return nil
	})
}

func testSecurityGroupDeleteCascades(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, id := range []string{"sg-1", "sg-2"} {
			if err := tx.CreateSecurityGroup(secGroup(id, 1, "cn-hangzhou", when())); err != nil {
				return err
			}
			if err := tx.CreateSecurityGroupRule(secRule("sgr-"+id, id, 1, when())); err != nil {
				return err
			}
			if err := tx.PutSecurityGroupTags(1, id, []store.Tag{{Key: "k", Value: "v"}}); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteSecurityGroup(1, "sg-1") })
	view(t, s, func(tx store.Tx) error {
		rules, err := tx.ListSecurityGroupRules(1, "sg-1")
		if err != nil || len(rules) != 0 {
			t.Errorf("rules of a deleted group = %+v, %v", rules, err)
		}
		tags, err := tx.ListSecurityGroupTags(1, []string{"sg-1", "sg-2"})
		if err != nil || len(tags) != 1 || len(tags["sg-2"]) != 1 {
			t.Errorf("tags after deleting sg-1 = %+v, %v; want only sg-2's", tags, err)
		}
		if rules, _ := tx.ListSecurityGroupRules(1, "sg-2"); len(rules) != 1 {
			t.Errorf("rules of the other group = %+v", rules)
		}
		return nil
	})
}

func testSecurityGroupRuleRoundTrip(t *testing.T, s store.Store) {
	base := when().UTC()
	peer := secRule("sgr-2", "sg-1", 1, base.Add(time.Second))
	peer.Direction, peer.IPProtocol, peer.PortRange, peer.SourceCidrIP = "egress", "all", "-1/-1", ""
	peer.PeerGroupID, peer.PeerAccountID, peer.PeerOwnerAccount = "sg-9", 2, "2"
	peer.SourcePortRange, peer.DestCidrIP, peer.Policy, peer.Priority = "1/1024", "", "drop", 100
	first := secRule("sgr-1", "sg-1", 1, base)
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateSecurityGroupRule(peer); err != nil {
			return err
		}
		return tx.CreateSecurityGroupRule(first)
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateSecurityGroupRule(first) })
	wantErr(t, "CreateSecurityGroupRule twice", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		rules, err := tx.ListSecurityGroupRules(1, "sg-1")
		if err != nil || len(rules) != 2 || rules[0] != first || rules[1] != peer {
			t.Errorf("ListSecurityGroupRules = %+v, %v; want oldest first, round-tripped", rules, err)
		}
		if rules, _ := tx.ListSecurityGroupRules(2, "sg-1"); len(rules) != 0 {
			t.Errorf("another account sees %+v", rules)
		}
		return nil
	})
	first.Description, first.Priority, first.Policy = "changed", 7, "drop"
	update(t, s, func(tx store.Tx) error { return tx.UpdateSecurityGroupRule(first) })
	view(t, s, func(tx store.Tx) error {
		rules, _ := tx.ListSecurityGroupRules(1, "sg-1")
		if len(rules) != 2 || rules[0].Description != "changed" || rules[0].Priority != 7 || rules[0].Policy != "accept" {
			t.Errorf("after UpdateSecurityGroupRule (Description and Priority only): %+v", rules)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.DeleteSecurityGroupRule(1, "sg-1", "sgr-1") })
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteSecurityGroupRule(1, "sg-1", "sgr-1") })
	wantErr(t, "DeleteSecurityGroupRule twice", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateSecurityGroupRule(first) })
	wantErr(t, "UpdateSecurityGroupRule after delete", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteSecurityGroupRule(2, "sg-1", "sgr-2") })
	wantErr(t, "DeleteSecurityGroupRule of another account", err, store.ErrNotFound)
}

func testSecurityGroupRuleCounts(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, group := range []string{"sg-1", "sg-1", "sg-1", "sg-2"} {
			r := secRule(fmt.Sprintf("sgr-%d", i), group, 1, when())
			if i == 1 {
				r.SourceCidrIP, r.PeerGroupID, r.PeerAccountID = "", "sg-2", 1
			}
			if err := tx.CreateSecurityGroupRule(r); err != nil {
				return err
			}
		}
		return tx.CreateSecurityGroupRule(secRule("sgr-other", "sg-3", 2, when()))
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.CountSecurityGroupRules(1, []string{"sg-1", "sg-2", "sg-3", "sg-4"})
		want := map[string]store.SecurityGroupRuleCount{"sg-1": {Rules: 3, GroupToGroup: 1}, "sg-2": {Rules: 1}}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("CountSecurityGroupRules = %v, %v; want %v", got, err, want)
		}
		if got, err := tx.CountSecurityGroupRules(1, nil); err != nil || len(got) != 0 {
			t.Errorf("CountSecurityGroupRules(no groups) = %v, %v", got, err)
		}
		return nil
	})
}

func testSecurityGroupReferences(t *testing.T, s store.Store) {
	ref := func(id, group string, account int64, peer string) store.SecurityGroupRule {
		r := secRule(id, group, account, when())
		r.SourceCidrIP, r.PeerGroupID, r.PeerAccountID = "", peer, 1
		return r
	}
	update(t, s, func(tx store.Tx) error {
		for _, r := range []store.SecurityGroupRule{
			ref("sgr-1", "sg-b", 1, "sg-a"), ref("sgr-2", "sg-b", 1, "sg-a"), // two rules, one reference
			ref("sgr-3", "sg-z", 2, "sg-a"), // another account's group
			ref("sgr-4", "sg-a", 1, "sg-a"), // a group naming itself is not a reference
			ref("sgr-5", "sg-a", 1, "sg-c"),
			secRule("sgr-6", "sg-b", 1, when()),
		} {
			if err := tx.CreateSecurityGroupRule(r); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListSecurityGroupReferences([]string{"sg-a", "sg-b"})
		want := []store.SecurityGroupReference{{GroupID: "sg-a", ReferencingGroupID: "sg-b", ReferencingAccountID: 1}, {GroupID: "sg-a", ReferencingGroupID: "sg-z", ReferencingAccountID: 2}}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ListSecurityGroupReferences = %+v, %v; want %+v", got, err, want)
		}
		if got, err := tx.ListSecurityGroupReferences(nil); err != nil || len(got) != 0 {
			t.Errorf("ListSecurityGroupReferences(no groups) = %+v, %v", got, err)
		}
		return nil
	})
}

func testSecurityGroupTags(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutSecurityGroupTags(1, "sg-1", []store.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: ""}}); err != nil {
			return err
		}
		return tx.PutSecurityGroupTags(1, "sg-1", []store.Tag{{Key: "b", Value: "2"}})
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.ListSecurityGroupTags(1, []string{"sg-1", "sg-2"})
		if err != nil || len(got) != 1 || !slices.Equal(got["sg-1"], []store.Tag{{Key: "a", Value: ""}, {Key: "b", Value: "2"}}) {
			t.Errorf("ListSecurityGroupTags = %+v, %v; want a=\"\", b=2 ordered by key", got, err)
		}
		if got, _ := tx.ListSecurityGroupTags(2, []string{"sg-1"}); len(got) != 0 {
			t.Errorf("another account sees tags %+v", got)
		}
		return nil
	})
}
