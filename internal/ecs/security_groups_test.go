package ecs

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ecsd/ecsd/internal/api"
	"github.com/ecsd/ecsd/internal/api/wire"
	"github.com/ecsd/ecsd/internal/apispec"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	idgen "github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/service/secgroup"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// securityGroupHandlers returns handlers backed by a fresh SQLite store with
// accounts 1 and 2, and a context calling as account 1 in cn-hangzhou.
func securityGroupHandlers(t *testing.T) (*Handlers, context.Context) {
	t.Helper()
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	err = st.Update(t.Context(), func(tx store.Tx) error {
		for _, a := range []store.Account{{ID: 1, Name: "alice"}, {ID: 2, Name: "bob"}} {
			a.Status = store.AccountEnabled
			if err := tx.CreateAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := secgroup.New(secgroup.Deps{Store: st, IDs: idgen.Seeded(7), Clock: clock.Real{}, Catalog: cat})
	h := New(Deps{Catalog: cat, Endpoint: testEndpoint, SecurityGroups: svc})
	return h, sgAccount(t, 1)
}

// sgAccount is a context calling as account id in cn-hangzhou.
func sgAccount(t *testing.T, id int64) context.Context {
	return reqctx.With(t.Context(), &reqctx.Call{AccountID: id, RegionID: "cn-hangzhou"})
}

// decodeInto decodes a query into a request struct, failing the test on error.
func decodeInto[T any](t *testing.T, query string) *T {
	t.Helper()
	req := new(T)
	if err := decode(t, query, req); err != nil {
		t.Fatalf("decode %s: %v", query, err)
	}
	return req
}

func createGroup(t *testing.T, h *Handlers, ctx context.Context, query string) string {
	t.Helper()
	resp, err := h.CreateSecurityGroup(ctx, decodeInto[CreateSecurityGroupRequest](t, query))
	if err != nil {
		t.Fatalf("CreateSecurityGroup(%s): %v", query, err)
	}
	return resp.SecurityGroupId
}

func TestEverySecurityGroupActionOfTheGuideIsRouted(t *testing.T) {
	h, _ := securityGroupHandlers(t)
	spec, err := apispec.ECS()
	if err != nil {
		t.Fatal(err)
	}
	reg := api.NewRegistry()
	if err := reg.Bind(spec, h); err != nil {
		t.Fatal(err)
	}
	for _, a := range spec.Actions {
		if a.Section < "1.11." || a.Section >= "1.12" {
			continue
		}
		ep, _ := reg.Lookup(spec.Version, a.Name)
		if ep == nil || !ep.Implemented() {
			t.Errorf("%s (%s) is not implemented", a.Name, a.Section)
		}
	}
}

func TestSecurityGroupAnswersHaveTheSDKShapes(t *testing.T) {
	h, ctx := securityGroupHandlers(t)
	created, err := h.CreateSecurityGroup(ctx, decodeInto[CreateSecurityGroupRequest](t,
		"SecurityGroupName=web&Description=for+demo&Tag.1.Key=env&Tag.1.Value=prod&Tag.2.Key=team"))
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, created, "CreateSecurityGroupResponse", "CreateSecurityGroupResponseBody")
	id := created.SecurityGroupId
	peer := createGroup(t, h, ctx, "SecurityGroupName=peer")
	authorized, err := h.AuthorizeSecurityGroup(ctx, decodeInto[AuthorizeSecurityGroupRequest](t,
		"SecurityGroupId="+id+"&Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=22/22&Permissions.1.SourceCidrIp=0.0.0.0/0"+
			"&Permissions.1.Description=ssh&Permissions.2.IpProtocol=all&Permissions.2.PortRange=-1/-1"+
			"&Permissions.2.SourceGroupId="+peer+"&Permissions.2.NicType=intranet&Permissions.2.Policy=drop&Permissions.2.Priority=7"))
	if err != nil {
		t.Fatal(err)
	}
	assertEmptyAnswer(t, authorized) // RequestId only, which the front adds
	egress, err := h.AuthorizeSecurityGroupEgress(ctx, decodeInto[AuthorizeSecurityGroupEgressRequest](t,
		"SecurityGroupId="+id+"&IpProtocol=udp&PortRange=53/53&DestGroupId="+peer+"&DestGroupOwnerAccount=alice&NicType=intranet"))
	if err != nil {
		t.Fatal(err)
	}
	assertEmptyAnswer(t, egress)

	attr, err := h.DescribeSecurityGroupAttribute(ctx, &DescribeSecurityGroupAttributeRequest{SecurityGroupId: id})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, attr, "DescribeSecurityGroupAttributeResponse", "DescribeSecurityGroupAttributeResponseBody")
	perms := attr.Permissions.Permission
	if attr.InnerAccessPolicy != "Accept" || attr.RegionId != "cn-hangzhou" || attr.SecurityGroupName != "web" || len(perms) != 3 {
		t.Fatalf("DescribeSecurityGroupAttribute = %+v", attr)
	}
	want := []SecurityGroupPermission{
		{Direction: "ingress", IpProtocol: "TCP", PortRange: "22/22", SourceCidrIp: "0.0.0.0/0", Policy: "Accept", NicType: "internet",
			Priority: "1", Description: "ssh"},
		{Direction: "ingress", IpProtocol: "ALL", PortRange: "-1/-1", SourceGroupId: peer, SourceGroupName: "peer", Policy: "Drop",
			NicType: "intranet", Priority: "7"},
		{Direction: "egress", IpProtocol: "UDP", PortRange: "53/53", DestGroupId: peer, DestGroupName: "peer", DestGroupOwnerAccount: "1",
			Policy: "Accept", NicType: "intranet", Priority: "1"},
	}
	for i, p := range perms {
		if p.SecurityGroupRuleId == "" || p.CreateTime == "" {
			t.Errorf("rule %d lacks its ID or time: %+v", i, p)
		}
		p.SecurityGroupRuleId, p.CreateTime = "", ""
		if p != want[i] {
			t.Errorf("rule %d = %+v\nwant %+v", i, p, want[i])
		}
	}

	list, err := h.DescribeSecurityGroups(ctx, &DescribeSecurityGroupsRequest{SecurityGroupId: id})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, list, "DescribeSecurityGroupsResponse", "DescribeSecurityGroupsResponseBody")
	if list.TotalCount != 1 || list.PageNumber != 1 || list.PageSize != 10 || list.RegionId != "cn-hangzhou" {
		t.Fatalf("DescribeSecurityGroups = %+v", list)
	}
	g := list.SecurityGroups.SecurityGroup[0]
	if g.SecurityGroupId != id || g.SecurityGroupType != "normal" || g.RuleCount != 3 || g.GroupToGroupRuleCount != 2 ||
		g.AvailableInstanceAmount != 1000 || len(g.CreationTime) != len("2026-11-28T09:30Z") ||
		!slices.Equal(g.Tags.Tag, []SecurityGroupTag{{"env", "prod"}, {"team", ""}}) {
		t.Errorf("group %+v", g)
	}

	refs, err := h.DescribeSecurityGroupReferences(ctx, &DescribeSecurityGroupReferencesRequest{SecurityGroupId: []string{peer, id}})
	if err != nil {
		t.Fatal(err)
	}
	assertSDKShape(t, refs, "DescribeSecurityGroupReferencesResponse", "DescribeSecurityGroupReferencesResponseBody")
	r := refs.SecurityGroupReferences.SecurityGroupReference
	if len(r) != 1 || r[0].SecurityGroupId != peer ||
		!slices.Equal(r[0].ReferencingSecurityGroups.ReferencingSecurityGroup, []ReferencingSecurityGroup{{id, "1"}}) {
		t.Errorf("references %+v", r)
	}
}

// assertEmptyAnswer checks that an answer carries nothing but the RequestId the
// front adds.
func assertEmptyAnswer(t *testing.T, resp any) {
	t.Helper()
	if body, err := json.Marshal(resp); err != nil || string(body) != "{}" {
		t.Errorf("answer %s, %v; want {}", body, err)
	}
}

func TestRevokeSecurityGroupTakesTheFlatFormTerraformSends(t *testing.T) {
	h, ctx := securityGroupHandlers(t)
	id := createGroup(t, h, ctx, "")
	authorize := "SecurityGroupId=" + id + "&Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=443/443" +
		"&Permissions.1.SourceCidrIp=10.0.0.0/8&Permissions.1.Policy=accept&Permissions.1.Priority=1"
	if _, err := h.AuthorizeSecurityGroup(ctx, decodeInto[AuthorizeSecurityGroupRequest](t, authorize)); err != nil {
		t.Fatal(err)
	}
	revoke := "SecurityGroupId=" + id + "&IpProtocol=tcp&PortRange=443/443&SourceCidrIp=10.0.0.0/8&Policy=accept&Priority=1&Description="
	if _, err := h.RevokeSecurityGroup(ctx, decodeInto[RevokeSecurityGroupRequest](t, revoke)); err != nil {
		t.Fatal(err)
	}
	attr, _ := h.DescribeSecurityGroupAttribute(ctx, &DescribeSecurityGroupAttributeRequest{SecurityGroupId: id, Direction: "ingress"})
	if n := len(attr.Permissions.Permission); n != 0 {
		t.Fatalf("%d rules left", n)
	}
}

func TestAuthorizeSecurityGroupWithPermissionsAndFlatFieldsIsInvalidParameter(t *testing.T) {
	h, ctx := securityGroupHandlers(t)
	id := createGroup(t, h, ctx, "")
	_, err := h.AuthorizeSecurityGroup(ctx, decodeInto[AuthorizeSecurityGroupRequest](t,
		"SecurityGroupId="+id+"&IpProtocol=tcp&PortRange=1/2&SourceCidrIp=1.1.1.1&Permissions.1.IpProtocol=tcp&Permissions.1.PortRange=1/2"))
	assertAPIError(t, err, "InvalidParameter", http.StatusBadRequest)
	_, err = h.AuthorizeSecurityGroupEgress(ctx, decodeInto[AuthorizeSecurityGroupEgressRequest](t,
		"SecurityGroupId="+id+"&Permissions.1.PortRange=1/2&Permissions.1.DestCidrIp=1.1.1.1"))
	assertAPIError(t, err, "MissingParameter", http.StatusBadRequest)
	if !strings.Contains(err.Error(), `"Permissions.1.IpProtocol"`) {
		t.Errorf("MissingParameter names %q", err)
	}
}

func TestSecurityGroupRequestsRejectBadWireValues(t *testing.T) {
	cases := []struct {
		query string
		dst   any
		kind  wire.ErrorKind
	}{
		{"PageSize=51", &DescribeSecurityGroupsRequest{}, wire.KindInvalid},
		{"PageNumber=0", &DescribeSecurityGroupsRequest{}, wire.KindInvalid},
		{"NetworkType=lan", &DescribeSecurityGroupsRequest{}, wire.KindInvalid},
		{"SecurityGroupType=vip", &CreateSecurityGroupRequest{}, wire.KindInvalid},
		{"SecurityGroupId=sg-1&Direction=up", &DescribeSecurityGroupAttributeRequest{}, wire.KindInvalid},
		{"Direction=all", &DescribeSecurityGroupAttributeRequest{}, wire.KindMissing},
		{"IpProtocol=tcp", &RevokeSecurityGroupRequest{}, wire.KindMissing},
	}
	for _, c := range cases {
		err := decode(t, c.query, c.dst)
		var we *wire.Error
		if !errors.As(err, &we) || we.Kind != c.kind {
			t.Errorf("%s: got %v, want a %s error", c.query, err, c.kind)
		}
	}
}

func TestAnotherAccountsSecurityGroupIsNotFoundThroughTheHandlers(t *testing.T) {
	h, ctx := securityGroupHandlers(t)
	id := createGroup(t, h, ctx, "")
	bob := sgAccount(t, 2)
	_, err := h.DescribeSecurityGroupAttribute(bob, &DescribeSecurityGroupAttributeRequest{SecurityGroupId: id})
	assertAPIError(t, err, "InvalidSecurityGroupId.NotFound", http.StatusNotFound)
	_, err = h.DeleteSecurityGroup(bob, &DeleteSecurityGroupRequest{SecurityGroupId: id})
	assertAPIError(t, err, "InvalidSecurityGroupId.NotFound", http.StatusNotFound)
	list, err := h.DescribeSecurityGroups(bob, &DescribeSecurityGroupsRequest{SecurityGroupIds: []string{id}})
	if err != nil || list.TotalCount != 0 || len(list.SecurityGroups.SecurityGroup) != 0 {
		t.Fatalf("bob lists %+v, %v", list, err)
	}
	if _, err := h.ModifySecurityGroupPolicy(ctx, &ModifySecurityGroupPolicyRequest{SecurityGroupId: id, InnerAccessPolicy: "drop"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ModifySecurityGroupAttribute(ctx, &ModifySecurityGroupAttributeRequest{SecurityGroupId: id, SecurityGroupName: ptr("renamed")}); err != nil {
		t.Fatal(err)
	}
	attr, _ := h.DescribeSecurityGroupAttribute(ctx, &DescribeSecurityGroupAttributeRequest{SecurityGroupId: id})
	if attr.InnerAccessPolicy != "Drop" || attr.SecurityGroupName != "renamed" {
		t.Errorf("after modify: %+v", attr)
	}
	if _, err := h.DeleteSecurityGroup(ctx, &DeleteSecurityGroupRequest{SecurityGroupId: id}); err != nil {
		t.Fatal(err)
	}
}
