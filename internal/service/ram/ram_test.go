package ram

import (
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

const allowAll = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*","Resource":"*"}]}`

func newService(t *testing.T) (*Service, Caller, Caller) {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, id := range []int64{1, 2} {
		if err := st.Update(t.Context(), func(tx store.Tx) error {
			return tx.CreateAccount(store.Account{ID: id, Name: string(rune('a' + id)), Status: store.AccountEnabled, CreatedAt: clk.Now()})
		}); err != nil {
			t.Fatal(err)
		}
	}
	return New(Deps{Store: st, IDs: ids.Seeded(3), Clock: clk}), Caller{AccountID: 1}, Caller{AccountID: 2}
}

// wantCode fails unless err is an API error with that code and HTTP status.
func wantCode(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) || e.Code != code || e.HTTPStatus != status {
		t.Fatalf("%s: got %v, want %s (%d)", what, err, code, status)
	}
}

func TestUserLifecycleAndDeleteConflicts(t *testing.T) {
	s, c, other := newService(t)
	ctx := t.Context()
	u, err := s.CreateUser(ctx, c, UserInput{UserName: "alice", DisplayName: "Alice", Email: "alice@example.com", MobilePhone: "86-18600000000"})
	if err != nil || len(u.ID) != 16 || u.Name != "alice" {
		t.Fatalf("CreateUser = %+v, %v", u, err)
	}
	_, err = s.CreateUser(ctx, c, UserInput{UserName: "alice"})
	wantCode(t, "same name again", err, "EntityAlreadyExists.User", 409)
	_, err = s.CreateUser(ctx, c, UserInput{UserName: "bad name"})
	wantCode(t, "bad chars", err, "InvalidParameter.UserName.InvalidChars", 400)
	_, err = s.CreateUser(ctx, c, UserInput{UserName: "x", Email: "nope"})
	wantCode(t, "bad email", err, "InvalidParameter.Email.Format", 400)
	if _, err := s.CreateUser(ctx, other, UserInput{UserName: "alice"}); err != nil {
		t.Fatalf("another account may use the same name: %v", err)
	}
	_, err = s.GetUser(ctx, other, "bob")
	wantCode(t, "unknown user", err, "EntityNotExist.User", 404)

	k, err := s.CreateAccessKey(ctx, c, "alice")
	if err != nil || k.UserID != u.ID || k.Status != "Active" {
		t.Fatalf("CreateAccessKey = %+v, %v", k, err)
	}
	if _, err := s.CreateAccessKey(ctx, c, "alice"); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateAccessKey(ctx, c, "alice")
	wantCode(t, "third key", err, "LimitExceeded.User.AccessKey", 409)
	err = s.UpdateAccessKey(ctx, other, "alice", k.ID, "Inactive")
	wantCode(t, "another account's key", err, "EntityNotExist.User.AccessKey", 404)

	_, err = s.CreateGroup(ctx, c, "ops", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddUserToGroup(ctx, c, "ops", "alice"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "join twice", s.AddUserToGroup(ctx, c, "ops", "alice"), "EntityAlreadyExists.User.Group", 409)
	if err := s.AttachPolicy(ctx, c, store.RAMPrincipalUser, "alice", "System", "AliyunECSReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}

	wantCode(t, "delete with keys", s.DeleteUser(ctx, c, "alice"), "DeleteConflict.User.AccessKey", 409)
	keys, _ := s.ListAccessKeys(ctx, c, "alice")
	for _, key := range keys {
		if err := s.DeleteAccessKey(ctx, c, "alice", key.ID); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "delete in a group", s.DeleteUser(ctx, c, "alice"), "DeleteConflict.User.Group", 409)
	wantCode(t, "delete a group with members", s.DeleteGroup(ctx, c, "ops"), "DeleteConflict.Group.User", 409)
	if err := s.RemoveUserFromGroup(ctx, c, "ops", "alice"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "leave twice", s.RemoveUserFromGroup(ctx, c, "ops", "alice"), "EntityNotExist.User.Group", 404)
	wantCode(t, "delete with a policy", s.DeleteUser(ctx, c, "alice"), "DeleteConflict.User.Policy", 409)
	if err := s.DetachPolicy(ctx, c, store.RAMPrincipalUser, "alice", "System", "AliyunECSReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, c, "alice"); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := s.GetUser(ctx, other, "alice"); err != nil {
		t.Fatalf("the other account's alice went too: %v", err)
	}
}

func TestRenamedUserKeepsKeysGroupsAndPolicies(t *testing.T) {
	s, c, _ := newService(t)
	ctx := t.Context()
	u, _ := s.CreateUser(ctx, c, UserInput{UserName: "alice"})
	_, _ = s.CreateGroup(ctx, c, "ops", "")
	_ = s.AddUserToGroup(ctx, c, "ops", "alice")
	if _, err := s.UpdateUser(ctx, c, "alice", UpdateUserInput{NewUserName: "alicia", NewComments: "renamed"}); err != nil {
		t.Fatal(err)
	}
	groups, err := s.ListGroupsForUser(ctx, c, "alicia")
	if err != nil || len(groups) != 1 || groups[0].Group.Name != "ops" {
		t.Fatalf("groups after rename: %+v, %v", groups, err)
	}
	_, _ = s.CreateUser(ctx, c, UserInput{UserName: "bob"})
	_, err = s.UpdateUser(ctx, c, "bob", UpdateUserInput{NewUserName: "alicia"})
	wantCode(t, "rename onto another user", err, "EntityAlreadyExists.User", 409)
	if got, _ := s.GetUser(ctx, c, "alicia"); got.ID != u.ID || got.Comments != "renamed" {
		t.Fatalf("renamed user = %+v", got)
	}
}

func TestPolicyVersionsAndSource(t *testing.T) {
	s, c, other := newService(t)
	ctx := t.Context()
	_, err := s.CreatePolicy(ctx, c, "EcsOps", "", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*"}]}`)
	wantCode(t, "no Resource", err, "MalformedPolicyDocument", 400)
	_, err = s.CreatePolicy(ctx, c, "EcsOps", "", `not json`)
	wantCode(t, "not JSON", err, "MalformedPolicyDocument", 400)
	_, err = s.CreatePolicy(ctx, c, "AdministratorAccess", "", allowAll)
	wantCode(t, "a system policy's name", err, "EntityAlreadyExists.Policy", 409)
	if _, err := s.CreatePolicy(ctx, c, "EcsOps", "ops", allowAll); err != nil {
		t.Fatal(err)
	}
	v2doc := `{"Version":"1","Statement":[{"Effect":"Deny","Action":"ecs:DeleteInstance","Resource":"*"}]}`
	v, err := s.CreatePolicyVersion(ctx, c, "EcsOps", v2doc, false, "")
	if err != nil || v.VersionID != "v2" || v.IsDefault {
		t.Fatalf("CreatePolicyVersion = %+v, %v", v, err)
	}
	for i := 3; i <= 5; i++ {
		if _, err := s.CreatePolicyVersion(ctx, c, "EcsOps", allowAll, false, ""); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.CreatePolicyVersion(ctx, c, "EcsOps", allowAll, false, "")
	wantCode(t, "sixth version", err, "LimitExceeded.Policy.Version", 409)
	if v, err = s.CreatePolicyVersion(ctx, c, "EcsOps", allowAll, true, rotateDeleteOldest); err != nil || v.VersionID != "v6" {
		t.Fatalf("rotating CreatePolicyVersion = %+v, %v", v, err)
	}
	versions, _ := s.ListPolicyVersions(ctx, c, "Custom", "EcsOps")
	if len(versions) != 5 || versions[0].VersionID != "v1" || versions[1].VersionID != "v3" || !versions[4].IsDefault {
		t.Fatalf("versions after rotation (v2, the oldest non-default, goes): %+v", versions)
	}
	wantCode(t, "delete the default", s.DeletePolicyVersion(ctx, c, "EcsOps", "v6"), "DeleteConflict.Policy.Version.Default", 409)
	if err := s.SetDefaultPolicyVersion(ctx, c, "EcsOps", "v1"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "unknown version", s.SetDefaultPolicyVersion(ctx, c, "EcsOps", "v2"), "EntityNotExist.Policy.Version", 404)
	wantCode(t, "malformed version", s.SetDefaultPolicyVersion(ctx, c, "EcsOps", "2"), "InvalidParameter.VersionId.Format", 400)

	u, _ := s.CreateUser(ctx, c, UserInput{UserName: "alice"})
	_, _ = s.CreateGroup(ctx, c, "ops", "")
	_ = s.AddUserToGroup(ctx, c, "ops", "alice")
	if err := s.AttachPolicy(ctx, c, store.RAMPrincipalGroup, "ops", "Custom", "EcsOps"); err != nil {
		t.Fatal(err)
	}
	if err := s.AttachPolicy(ctx, c, store.RAMPrincipalUser, "alice", "System", "AliyunECSReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "attach twice", s.AttachPolicy(ctx, c, store.RAMPrincipalGroup, "ops", "Custom", "EcsOps"), "EntityAlreadyExists.Group.Policy", 409)
	wantCode(t, "another account's policy", s.AttachPolicy(ctx, other, store.RAMPrincipalUser, "alice", "Custom", "EcsOps"), "EntityNotExist.User", 404)
	docs, err := s.Policies(ctx, 1, reqctx.Principal{Kind: reqctx.PrincipalUser, UserID: u.ID, UserName: "alice"})
	if err != nil || len(docs) != 2 || docs[0] != systemPolicies[4].Document || docs[1] != allowAll {
		t.Fatalf("Policies(alice) = %q, %v", docs, err)
	}
	if docs, _ := s.Policies(ctx, 2, reqctx.Principal{Kind: reqctx.PrincipalUser, UserID: u.ID}); len(docs) != 0 {
		t.Fatalf("account 2 got account 1's user's policies: %q", docs)
	}
	ents, err := s.ListEntitiesForPolicy(ctx, c, "Custom", "EcsOps")
	if err != nil || len(ents.Groups) != 1 || len(ents.Users) != 0 {
		t.Fatalf("ListEntitiesForPolicy = %+v, %v", ents, err)
	}
	wantCode(t, "delete an attached policy", s.DeletePolicy(ctx, c, "EcsOps"), "DeleteConflict.Policy.Group", 409)
	_ = s.DetachPolicy(ctx, c, store.RAMPrincipalGroup, "ops", "Custom", "EcsOps")
	wantCode(t, "delete with versions", s.DeletePolicy(ctx, c, "EcsOps"), "DeleteConflict.Policy.Version", 409)
}

func TestRolesValidateTrustPolicyAndDuration(t *testing.T) {
	s, c, _ := newService(t)
	ctx := t.Context()
	trust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}`
	tooLong := 50000
	_, err := s.CreateRole(ctx, c, "EcsRole", "", trust, &tooLong)
	wantCode(t, "MaxSessionDuration", err, "InvalidParameter.MaxSessionDuration", 400)
	_, err = s.CreateRole(ctx, c, "EcsRole", "", allowAll, nil)
	wantCode(t, "a permission policy as trust policy", err, "MalformedPolicyDocument", 400)
	r, err := s.CreateRole(ctx, c, "EcsRole", "for instances", trust, nil)
	if err != nil || r.MaxSessionDuration != 3600 || len(r.ID) != 19 {
		t.Fatalf("CreateRole = %+v, %v", r, err)
	}
	_, err = s.CreateRole(ctx, c, "ecsrole", "", trust, nil)
	wantCode(t, "same name in another case", err, "EntityAlreadyExists.Role", 409)
	if RoleARN(1, "EcsRole") != "acs:ram::1:role/ecsrole" {
		t.Fatal(RoleARN(1, "EcsRole"))
	}
	_ = s.AttachPolicy(ctx, c, store.RAMPrincipalRole, "EcsRole", "System", "AliyunECSImageImportRolePolicy")
	wantCode(t, "delete with policies", s.DeleteRole(ctx, c, "EcsRole"), "DeleteConflict.Role.Policy", 409)
}

func TestListPagesWithMarkers(t *testing.T) {
	s, c, _ := newService(t)
	for _, n := range []string{"a", "b", "c"} {
		if _, err := s.CreateUser(t.Context(), c, UserInput{UserName: n}); err != nil {
			t.Fatal(err)
		}
	}
	first, info, err := s.ListUsers(t.Context(), c, Page{MaxItems: 2})
	if err != nil || len(first) != 2 || !info.IsTruncated || info.Marker == "" {
		t.Fatalf("first page = %+v %+v %v", first, info, err)
	}
	rest, info, err := s.ListUsers(t.Context(), c, Page{MaxItems: 2, Marker: info.Marker})
	if err != nil || len(rest) != 1 || rest[0].Name != "c" || info.IsTruncated {
		t.Fatalf("second page = %+v %+v %v", rest, info, err)
	}
	_, _, err = s.ListUsers(t.Context(), c, Page{Marker: "junk!"})
	wantCode(t, "bad marker", err, "InvalidParameter", 400)
}
