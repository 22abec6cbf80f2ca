package sts

import (
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/metadata"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// TestInstanceRolesIssueATokenActingAsTheRoleAndReuseItUntilShortlyBeforeExpiry
// attaches roles to an instance the way ECS does and reads their credentials
// as the metadata service would: a role trusting ecs.aliyuncs.com yields an
// STS token of that role (session named after the instance) that is answered
// again until InstanceRoleRefresh before it expires, then replaced; a role
// that is not the instance's, does not exist or does not trust ECS is
// metadata.ErrNotFound.
func TestInstanceRolesIssueATokenActingAsTheRoleAndReuseItUntilShortlyBeforeExpiry(t *testing.T) {
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const acct = 1234567890123456
	clk := clock.NewFake(time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC))
	ecsTrust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["ecs.aliyuncs.com"]}}],"Version":"1"}`
	userTrust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}],"Version":"1"}`
	err = st.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.CreateAccount(store.Account{ID: acct, Name: "a", Status: store.AccountEnabled}); err != nil {
			return err
		}
		if err := tx.CreateRAMRole(store.RAMRole{ID: "301", AccountID: acct, Name: "EcsRole", AssumeRolePolicy: ecsTrust,
			MaxSessionDuration: 3600}); err != nil {
			return err
		}
		return tx.CreateRAMRole(store.RAMRole{ID: "302", AccountID: acct, Name: "UserRole", AssumeRolePolicy: userTrust,
			MaxSessionDuration: 3600})
	})
	if err != nil {
		t.Fatal(err)
	}
	roles := NewInstanceRoles(New(Deps{Store: st, IDs: ids.Seeded(3), Clock: clk}))
	inst := metadata.Instance{ID: "i-web1", OwnerAccountID: acct, RAMRoleName: "EcsRole"}
	first, err := roles.InstanceRoleCredentials(t.Context(), inst, "EcsRole")
	if err != nil {
		t.Fatal(err)
	}
	if first.AccessKeyID[:4] != KeyPrefix || first.SecurityToken == "" || first.AccessKeySecret == "" ||
		!first.LastUpdated.Equal(clk.Now()) || !first.Expiration.Equal(clk.Now().Add(InstanceRoleDuration)) {
		t.Errorf("credentials = %+v", first)
	}
	err = st.View(t.Context(), func(tx store.Tx) error {
		tok, err := tx.GetSTSToken(first.AccessKeyID)
		if err != nil {
			return err
		}
		if tok.RoleID != "301" || tok.RoleName != "EcsRole" || tok.SessionName != "i-web1" || tok.AccountID != acct ||
			tok.SecurityToken != first.SecurityToken {
			t.Errorf("stored token = %+v", tok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(InstanceRoleDuration - InstanceRoleRefresh - time.Second)
	again, err := roles.InstanceRoleCredentials(t.Context(), inst, "EcsRole")
	if err != nil || again != first {
		t.Errorf("before the refresh point: %+v, %v; want the same credentials", again, err)
	}
	clk.Advance(2 * time.Second)
	fresh, err := roles.InstanceRoleCredentials(t.Context(), inst, "EcsRole")
	if err != nil || fresh.AccessKeyID == first.AccessKeyID || !fresh.Expiration.Equal(clk.Now().Add(InstanceRoleDuration)) {
		t.Errorf("after the refresh point: %+v, %v; want new credentials", fresh, err)
	}
	for _, tc := range []struct {
		inst metadata.Instance
		role string
	}{
		{inst, "UserRole"}, // not the instance's role
		{metadata.Instance{ID: "i-2", OwnerAccountID: acct, RAMRoleName: "UserRole"}, "UserRole"}, // no ECS trust
		{metadata.Instance{ID: "i-3", OwnerAccountID: acct, RAMRoleName: "Gone"}, "Gone"},
		{metadata.Instance{ID: "i-4", OwnerAccountID: acct}, ""},
	} {
		if _, err := roles.InstanceRoleCredentials(t.Context(), tc.inst, tc.role); !errors.Is(err, metadata.ErrNotFound) {
			t.Errorf("%s role %q: err = %v, want metadata.ErrNotFound", tc.inst.ID, tc.role, err)
		}
	}
}
