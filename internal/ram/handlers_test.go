package ram

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ecs/sdkshape"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	ramsvc "github.com/ecsd/ecsd/internal/service/ram"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

func newHandlers(t *testing.T) (*Handlers, context.Context) {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC))
	if err := st.Update(t.Context(), func(tx store.Tx) error {
		return tx.CreateAccount(store.Account{ID: 1234567890123456, Name: "a", Status: store.AccountEnabled, CreatedAt: clk.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	h := New(Deps{RAM: ramsvc.New(ramsvc.Deps{Store: st, IDs: ids.Seeded(5), Clock: clk})})
	ctx := reqctx.With(t.Context(), &reqctx.Call{AccountID: 1234567890123456, Principal: reqctx.Principal{Kind: reqctx.PrincipalRoot}})
	return h, ctx
}

// assertShape checks the JSON of resp (with a RequestId) strictly against the
// classic SDK's services/ram struct sdkType.
func assertShape(t *testing.T, resp any, sdkType string) string {
	t.Helper()
	body, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), "null") {
		t.Errorf("%s has a null: %s", sdkType, body)
	}
	doc := `{"RequestId":"r"`
	if len(body) > 2 {
		doc += "," + string(body[1:])
	} else {
		doc += "}"
	}
	pkg, err := sdkshape.Load(sdkshape.ClassicSDK, "services/ram")
	if err != nil {
		t.Logf("SDK sources unavailable, check against %s skipped: %v", sdkType, err)
		return doc
	}
	for _, p := range pkg.Check([]byte(doc), sdkType) {
		t.Errorf("%s: %s", sdkType, p)
	}
	return doc
}

func TestRAMAnswersHaveTheSDKShapes(t *testing.T) {
	h, ctx := newHandlers(t)
	user, err := h.CreateUser(ctx, &CreateUserRequest{UserName: "alice", DisplayName: "Alice", Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if doc := assertShape(t, user, "CreateUserResponse"); !strings.Contains(doc, `"CreateDate":"2026-02-03T04:05:06Z"`) {
		t.Errorf("CreateUser = %s", doc)
	}
	key, err := h.CreateAccessKey(ctx, &UserNameRequest{UserName: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	assertShape(t, key, "CreateAccessKeyResponse")
	keys, _ := h.ListAccessKeys(ctx, &UserNameRequest{UserName: "alice"})
	if doc := assertShape(t, keys, "ListAccessKeysResponse"); strings.Contains(doc, "AccessKeySecret") {
		t.Errorf("ListAccessKeys shows a secret: %s", doc)
	}
	users, _ := h.ListUsers(ctx, &ListRequest{})
	assertShape(t, users, "ListUsersResponse")
	g, _ := h.CreateGroup(ctx, &CreateGroupRequest{GroupName: "ops"})
	assertShape(t, g, "CreateGroupResponse")
	if _, err := h.AddUserToGroup(ctx, &GroupMemberRequest{GroupName: "ops", UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	forUser, _ := h.ListGroupsForUser(ctx, &UserNameRequest{UserName: "alice"})
	assertShape(t, forUser, "ListGroupsForUserResponse")
	forGroup, _ := h.ListUsersForGroup(ctx, &ListUsersForGroupRequest{GroupName: "ops"})
	assertShape(t, forGroup, "ListUsersForGroupResponse")
	doc := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`
	p, err := h.CreatePolicy(ctx, &CreatePolicyRequest{PolicyName: "Reader", PolicyDocument: doc})
	if err != nil {
		t.Fatal(err)
	}
	assertShape(t, p, "CreatePolicyResponse")
	got, _ := h.GetPolicy(ctx, &PolicyRequest{PolicyType: "Custom", PolicyName: "Reader"})
	if out := assertShape(t, got, "GetPolicyResponse"); !strings.Contains(out, `"IsDefaultVersion":true`) {
		t.Errorf("GetPolicy = %s", out)
	}
	versions, _ := h.ListPolicyVersions(ctx, &PolicyRequest{PolicyType: "System", PolicyName: "AdministratorAccess"})
	assertShape(t, versions, "ListPolicyVersionsResponse")
	list, _ := h.ListPolicies(ctx, &ListPoliciesRequest{})
	assertShape(t, list, "ListPoliciesResponse")
	if _, err := h.AttachPolicyToGroup(ctx, &GroupPolicyRequest{GroupName: "ops", PolicyType: "Custom", PolicyName: "Reader"}); err != nil {
		t.Fatal(err)
	}
	forG, _ := h.ListPoliciesForGroup(ctx, &GroupNameRequest{GroupName: "ops"})
	assertShape(t, forG, "ListPoliciesForGroupResponse")
	trust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}`
	role, err := h.CreateRole(ctx, &CreateRoleRequest{RoleName: "EcsRole", AssumeRolePolicyDocument: trust})
	if err != nil {
		t.Fatal(err)
	}
	if out := assertShape(t, role, "CreateRoleResponse"); !strings.Contains(out, `"Arn":"acs:ram::1234567890123456:role/ecsrole"`) {
		t.Errorf("CreateRole = %s", out)
	}
	if _, err := h.AttachPolicyToRole(ctx, &RolePolicyRequest{RoleName: "EcsRole", PolicyType: "Custom", PolicyName: "Reader"}); err != nil {
		t.Fatal(err)
	}
	ents, _ := h.ListEntitiesForPolicy(ctx, &PolicyRequest{PolicyType: "Custom", PolicyName: "Reader"})
	assertShape(t, ents, "ListEntitiesForPolicyResponse")
	roles, _ := h.ListRoles(ctx, &ListRequest{})
	if out := assertShape(t, roles, "ListRolesResponse"); strings.Contains(out, "AssumeRolePolicyDocument") {
		t.Errorf("ListRoles shows trust policies: %s", out)
	}
	empty, err := h.DeleteUser(ctx, &UserNameRequest{UserName: "nobody"})
	if err == nil || empty == nil {
		t.Fatalf("DeleteUser nobody = %v, %v", empty, err)
	}
}
