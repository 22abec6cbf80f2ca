package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// ramCases cover store.RAMTx.
var ramCases = []contractCase{
	{"RAM/UserRoundTripRenameAndScope", testRAMUserRoundTrip},
	{"RAM/UserAccessKeysAndCredential", testRAMUserAccessKeys},
	{"RAM/GroupsAndMembers", testRAMGroupsAndMembers},
	{"RAM/PoliciesAndVersions", testRAMPoliciesAndVersions},
	{"RAM/RolesAndAttachments", testRAMRolesAndAttachments},
	{"RAM/STSTokens", testSTSTokens},
}

func ramUser(account int64, id, name string) store.RAMUser {
	return store.RAMUser{ID: id, AccountID: account, Name: name, DisplayName: "D " + name, MobilePhone: "86-1", Email: name + "@example.com",
		Comments: "c", CreatedAt: when(), UpdatedAt: when().Add(time.Second)}
}

func testRAMUserRoundTrip(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "a"))
	seedAccount(t, s, account(2, "b"))
	update(t, s, func(tx store.Tx) error {
		for _, u := range []store.RAMUser{ramUser(1, "11", "bob"), ramUser(1, "12", "alice"), ramUser(2, "21", "bob")} {
			if err := tx.CreateRAMUser(u); err != nil {
				return err
			}
		}
		wantErr(t, "same name in the account", tx.CreateRAMUser(ramUser(1, "13", "bob")), store.ErrConflict)
		wantErr(t, "same ID", tx.CreateRAMUser(ramUser(2, "11", "zed")), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetRAMUser(1, "bob")
		if err != nil || got.ID != "11" || got.Email != "bob@example.com" || got.DisplayName != "D bob" {
			t.Fatalf("GetRAMUser = %+v, %v", got, err)
		}
		sameTime(t, "CreatedAt", got.CreatedAt, when())
		sameTime(t, "UpdatedAt", got.UpdatedAt, when().Add(time.Second))
		if _, err := tx.GetRAMUserByID(2, "11"); err == nil {
			t.Fatal("account 2 read account 1's user by ID")
		}
		list, err := tx.ListRAMUsers(1)
		if err != nil || len(list) != 2 || list[0].Name != "alice" || list[1].Name != "bob" {
			t.Fatalf("ListRAMUsers = %+v, %v", list, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		u := ramUser(1, "11", "alice")
		wantErr(t, "rename onto another user", tx.UpdateRAMUser(u), store.ErrConflict)
		u.Name, u.Comments = "robert", "renamed"
		if err := tx.UpdateRAMUser(u); err != nil {
			return err
		}
		wantErr(t, "update in another account", tx.UpdateRAMUser(ramUser(2, "11", "x")), store.ErrNotFound)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		if got, err := tx.GetRAMUserByID(1, "11"); err != nil || got.Name != "robert" || got.Comments != "renamed" {
			t.Fatalf("after rename: %+v, %v", got, err)
		}
		_, err := tx.GetRAMUser(1, "bob")
		wantErr(t, "old name", err, store.ErrNotFound)
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "delete in another account", tx.DeleteRAMUser(2, "11"), store.ErrNotFound)
		return tx.DeleteRAMUser(1, "11")
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetRAMUserByID(1, "11")
		wantErr(t, "deleted user", err, store.ErrNotFound)
		return nil
	})
}

func testRAMUserAccessKeys(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "a"))
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateRAMUser(ramUser(1, "11", "bob")); err != nil {
			return err
		}
		if err := tx.CreateAccessKey(accessKey("LTAIroot", 1)); err != nil {
			return err
		}
		k := accessKey("LTAIbob", 1)
		k.UserID = "11"
		return tx.CreateAccessKey(k)
	})
	view(t, s, func(tx store.Tx) error {
		own, err := tx.ListAccessKeys(1)
		if err != nil || len(own) != 1 || own[0].ID != "LTAIroot" || own[0].UserID != "" {
			t.Fatalf("ListAccessKeys (the account's own) = %+v, %v", own, err)
		}
		keys, err := tx.ListUserAccessKeys(1, "11")
		if err != nil || len(keys) != 1 || keys[0].ID != "LTAIbob" || keys[0].UserID != "11" || keys[0].UserName != "bob" {
			t.Fatalf("ListUserAccessKeys = %+v, %v", keys, err)
		}
		if k, err := tx.GetAccessKey("LTAIbob"); err != nil || k.UserName != "bob" {
			t.Fatalf("GetAccessKey = %+v, %v", k, err)
		}
		return nil
	})
	k, _, err := s.Credential(t.Context(), "LTAIbob")
	if err != nil || k.UserID != "11" || k.UserName != "bob" {
		t.Fatalf("Credential of a user's key = %+v, %v", k, err)
	}
	// A rename shows in the next lookup.
	update(t, s, func(tx store.Tx) error {
		u := ramUser(1, "11", "robert")
		return tx.UpdateRAMUser(u)
	})
	if k, _, err = s.Credential(t.Context(), "LTAIbob"); err != nil || k.UserName != "robert" {
		t.Fatalf("Credential after rename = %+v, %v", k, err)
	}
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "delete unknown key", tx.DeleteAccessKey("nope"), store.ErrNotFound)
		return tx.DeleteAccessKey("LTAIbob")
	})
	_, _, err = s.Credential(t.Context(), "LTAIbob")
	wantErr(t, "Credential of a deleted key", err, store.ErrNotFound)
}

func testRAMGroupsAndMembers(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "a"))
	update(t, s, func(tx store.Tx) error {
		for _, g := range []store.RAMGroup{
			{ID: "g1", AccountID: 1, Name: "ops", Comments: "x", CreatedAt: when(), UpdatedAt: when()},
			{ID: "g2", AccountID: 1, Name: "dev", CreatedAt: when(), UpdatedAt: when()},
		} {
			if err := tx.CreateRAMGroup(g); err != nil {
				return err
			}
		}
		wantErr(t, "duplicate group name", tx.CreateRAMGroup(store.RAMGroup{ID: "g3", AccountID: 1, Name: "ops", CreatedAt: when(), UpdatedAt: when()}), store.ErrConflict)
		for i, m := range []store.RAMGroupMember{{AccountID: 1, GroupID: "g1", UserID: "u1", JoinedAt: when()}, {AccountID: 1, GroupID: "g2", UserID: "u1", JoinedAt: when().Add(time.Second)}, {AccountID: 1, GroupID: "g1", UserID: "u2", JoinedAt: when().Add(2 * time.Second)}} {
			if err := tx.AddRAMGroupMember(m); err != nil {
				t.Fatalf("member %d: %v", i, err)
			}
		}
		wantErr(t, "duplicate member", tx.AddRAMGroupMember(store.RAMGroupMember{AccountID: 1, GroupID: "g1", UserID: "u1", JoinedAt: when()}), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		groups, err := tx.ListRAMGroups(1)
		if err != nil || len(groups) != 2 || groups[0].Name != "dev" {
			t.Fatalf("ListRAMGroups = %+v, %v", groups, err)
		}
		if g, err := tx.GetRAMGroup(1, "ops"); err != nil || g.ID != "g1" || g.Comments != "x" {
			t.Fatalf("GetRAMGroup = %+v, %v", g, err)
		}
		if _, err := tx.GetRAMGroupByID(2, "g1"); err == nil {
			t.Fatal("another account read the group")
		}
		ofUser, _ := tx.ListRAMGroupMembers(1, "", "u1")
		ofGroup, _ := tx.ListRAMGroupMembers(1, "g1", "")
		if len(ofUser) != 2 || ofUser[0].GroupID != "g1" || len(ofGroup) != 2 || ofGroup[1].UserID != "u2" {
			t.Fatalf("members: of user %+v, of group %+v", ofUser, ofGroup)
		}
		if other, _ := tx.ListRAMGroupMembers(2, "g1", ""); len(other) != 0 {
			t.Fatalf("another account sees members: %+v", other)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "remove a non-member", tx.RemoveRAMGroupMember(1, "g2", "u2"), store.ErrNotFound)
		if err := tx.RemoveRAMGroupMember(1, "g1", "u1"); err != nil {
			return err
		}
		g := store.RAMGroup{ID: "g2", AccountID: 1, Name: "ops", CreatedAt: when(), UpdatedAt: when()}
		wantErr(t, "rename onto another group", tx.UpdateRAMGroup(g), store.ErrConflict)
		g.Name = "devs"
		if err := tx.UpdateRAMGroup(g); err != nil {
			return err
		}
		return tx.DeleteRAMGroup(1, "g1")
	})
	view(t, s, func(tx store.Tx) error {
		if g, err := tx.GetRAMGroup(1, "devs"); err != nil || g.ID != "g2" {
			t.Fatalf("renamed group: %+v, %v", g, err)
		}
		_, err := tx.GetRAMGroup(1, "ops")
		wantErr(t, "deleted group", err, store.ErrNotFound)
		return nil
	})
}

func testRAMPoliciesAndVersions(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "a"))
	p := store.RAMPolicy{AccountID: 1, Name: "ReadOnly", Description: "d", DefaultVersion: "v1", NextVersion: 2, CreatedAt: when(), UpdatedAt: when()}
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateRAMPolicy(p); err != nil {
			return err
		}
		wantErr(t, "duplicate policy", tx.CreateRAMPolicy(p), store.ErrConflict)
		for i := 1; i <= 2; i++ {
			v := store.RAMPolicyVersion{AccountID: 1, PolicyName: "ReadOnly", VersionID: "v" + string(rune('0'+i)), VersionNum: i,
				Document: `{"Version":"1"}`, CreatedAt: when()}
			if err := tx.CreateRAMPolicyVersion(v); err != nil {
				return err
			}
		}
		wantErr(t, "duplicate version", tx.CreateRAMPolicyVersion(store.RAMPolicyVersion{AccountID: 1, PolicyName: "ReadOnly", VersionID: "v1", CreatedAt: when()}), store.ErrConflict)
		p.DefaultVersion, p.NextVersion, p.Description = "v2", 3, "new"
		return tx.UpdateRAMPolicy(p)
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetRAMPolicy(1, "ReadOnly")
		if err != nil || got.DefaultVersion != "v2" || got.NextVersion != 3 || got.Description != "new" {
			t.Fatalf("GetRAMPolicy = %+v, %v", got, err)
		}
		versions, err := tx.ListRAMPolicyVersions(1, "ReadOnly")
		if err != nil || len(versions) != 2 || versions[0].VersionID != "v1" || versions[1].VersionNum != 2 {
			t.Fatalf("ListRAMPolicyVersions = %+v, %v", versions, err)
		}
		if v, err := tx.GetRAMPolicyVersion(1, "ReadOnly", "v2"); err != nil || v.Document != `{"Version":"1"}` {
			t.Fatalf("GetRAMPolicyVersion = %+v, %v", v, err)
		}
		if _, err := tx.GetRAMPolicy(2, "ReadOnly"); err == nil {
			t.Fatal("another account read the policy")
		}
		list, _ := tx.ListRAMPolicies(1)
		if len(list) != 1 {
			t.Fatalf("ListRAMPolicies = %+v", list)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "delete unknown version", tx.DeleteRAMPolicyVersion(1, "ReadOnly", "v9"), store.ErrNotFound)
		if err := tx.DeleteRAMPolicyVersion(1, "ReadOnly", "v1"); err != nil {
			return err
		}
		return tx.DeleteRAMPolicy(1, "ReadOnly")
	})
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetRAMPolicy(1, "ReadOnly")
		wantErr(t, "deleted policy", err, store.ErrNotFound)
		_, err = tx.GetRAMPolicyVersion(1, "ReadOnly", "v2")
		wantErr(t, "versions go with the policy", err, store.ErrNotFound)
		return nil
	})
}

func testRAMRolesAndAttachments(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "a"))
	r := store.RAMRole{ID: "r1", AccountID: 1, Name: "EcsRole", Description: "d", AssumeRolePolicy: `{"Version":"1"}`,
		MaxSessionDuration: 3600, CreatedAt: when(), UpdatedAt: when()}
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateRAMRole(r); err != nil {
			return err
		}
		dup := r
		dup.ID = "r2"
		wantErr(t, "duplicate role name", tx.CreateRAMRole(dup), store.ErrConflict)
		r.MaxSessionDuration, r.Description = 7200, "changed"
		return tx.UpdateRAMRole(r)
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetRAMRole(1, "EcsRole")
		if err != nil || got.ID != "r1" || got.MaxSessionDuration != 7200 || got.Description != "changed" || got.AssumeRolePolicy != `{"Version":"1"}` {
			t.Fatalf("GetRAMRole = %+v, %v", got, err)
		}
		if byID, err := tx.GetRAMRoleByID(1, "r1"); err != nil || !reflect.DeepEqual(byID.Name, "EcsRole") {
			t.Fatalf("GetRAMRoleByID = %+v, %v", byID, err)
		}
		if list, _ := tx.ListRAMRoles(1); len(list) != 1 {
			t.Fatalf("ListRAMRoles = %+v", list)
		}
		return nil
	})
	att := func(pt, pid, ptype, pname string, i int) store.RAMAttachment {
		return store.RAMAttachment{AccountID: 1, PrincipalType: pt, PrincipalID: pid, PolicyType: ptype, PolicyName: pname,
			AttachedAt: when().Add(time.Duration(i) * time.Second)}
	}
	update(t, s, func(tx store.Tx) error {
		for i, a := range []store.RAMAttachment{
			att(store.RAMPrincipalRole, "r1", store.RAMPolicySystem, "AdministratorAccess", 0),
			att(store.RAMPrincipalUser, "u1", store.RAMPolicySystem, "AdministratorAccess", 1),
			att(store.RAMPrincipalUser, "u1", store.RAMPolicyCustom, "Mine", 2),
		} {
			if err := tx.AttachRAMPolicy(a); err != nil {
				t.Fatalf("attach %d: %v", i, err)
			}
		}
		wantErr(t, "attach twice", tx.AttachRAMPolicy(att(store.RAMPrincipalUser, "u1", store.RAMPolicyCustom, "Mine", 5)), store.ErrConflict)
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		ofUser, _ := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: 1, PrincipalType: store.RAMPrincipalUser, PrincipalID: "u1"})
		ofPolicy, _ := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: 1, PolicyType: store.RAMPolicySystem, PolicyName: "AdministratorAccess"})
		other, _ := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: 2})
		if len(ofUser) != 2 || ofUser[1].PolicyName != "Mine" || len(ofPolicy) != 2 || ofPolicy[0].PrincipalType != "Role" || len(other) != 0 {
			t.Fatalf("attachments: of user %+v, of policy %+v, other account %+v", ofUser, ofPolicy, other)
		}
		sameTime(t, "AttachedAt", ofUser[0].AttachedAt, when().Add(time.Second))
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "detach twice", tx.DetachRAMPolicy(att(store.RAMPrincipalGroup, "u1", store.RAMPolicyCustom, "Mine", 0)), store.ErrNotFound)
		if err := tx.DetachRAMPolicy(att(store.RAMPrincipalUser, "u1", store.RAMPolicyCustom, "Mine", 0)); err != nil {
			return err
		}
		return tx.DeleteRAMRole(1, "r1")
	})
	view(t, s, func(tx store.Tx) error {
		if left, _ := tx.ListRAMAttachments(store.RAMAttachmentFilter{AccountID: 1, PolicyType: store.RAMPolicyCustom}); len(left) != 0 {
			t.Fatalf("after detach: %+v", left)
		}
		_, err := tx.GetRAMRole(1, "EcsRole")
		wantErr(t, "deleted role", err, store.ErrNotFound)
		return nil
	})
}

func testSTSTokens(t *testing.T, s store.Store) {
	tok := store.STSToken{AccessKeyID: "STS.abc", Secret: "sec", SecurityToken: "tok", AccountID: 1, RoleID: "r1", RoleName: "R",
		SessionName: "alice", SessionPolicy: `{"Version":"1"}`, CreatedAt: when(), ExpiresAt: when().Add(time.Hour)}
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateSTSToken(tok); err != nil {
			return err
		}
		wantErr(t, "duplicate token", tx.CreateSTSToken(tok), store.ErrConflict)
		old := tok
		old.AccessKeyID, old.ExpiresAt = "STS.old", when().Add(-time.Minute)
		return tx.CreateSTSToken(old)
	})
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetSTSToken("STS.abc")
		if err != nil || got.Secret != "sec" || got.SecurityToken != "tok" || got.RoleName != "R" || got.SessionPolicy != tok.SessionPolicy {
			t.Fatalf("GetSTSToken = %+v, %v", got, err)
		}
		sameTime(t, "ExpiresAt", got.ExpiresAt, tok.ExpiresAt)
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		n, err := tx.DeleteExpiredSTSTokens(when())
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpiredSTSTokens = %d, %v", n, err)
		}
		_, err = tx.GetSTSToken("STS.old")
		wantErr(t, "expired token after purge", err, store.ErrNotFound)
		_, err = tx.GetSTSToken("STS.abc")
		return err
	})
}
