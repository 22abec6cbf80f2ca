package sts

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/ecs/sdkshape"
	"github.com/ecsd/ecsd/internal/ids"
	"github.com/ecsd/ecsd/internal/reqctx"
	stssvc "github.com/ecsd/ecsd/internal/service/sts"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

func check(t *testing.T, resp any, sdkType string) string {
	t.Helper()
	body, _ := json.Marshal(resp)
	doc := `{"RequestId":"r",` + string(body[1:])
	pkg, err := sdkshape.Load(sdkshape.ClassicSDK, "services/sts")
	if err != nil {
		t.Logf("SDK sources unavailable, check skipped: %v", err)
		return doc
	}
	for _, p := range pkg.Check([]byte(doc), sdkType) {
		t.Errorf("%s: %s", sdkType, p)
	}
	return doc
}

func TestAssumeRoleAndGetCallerIdentityHaveTheSDKShapes(t *testing.T) {
	st, err := sqlstore.OpenSQLite(t.Context(), t.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := clock.NewFake(time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC))
	trust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"]}}],"Version":"1"}`
	err = st.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.CreateAccount(store.Account{ID: 1234567890123456, Name: "a", Status: store.AccountEnabled}); err != nil {
			return err
		}
		return tx.CreateRAMRole(store.RAMRole{ID: "3456789012345678901", AccountID: 1234567890123456, Name: "Ops",
			AssumeRolePolicy: trust, MaxSessionDuration: 3600})
	})
	if err != nil {
		t.Fatal(err)
	}
	h := New(Deps{STS: stssvc.New(stssvc.Deps{Store: st, IDs: ids.Seeded(2), Clock: clk})})
	ctx := reqctx.With(t.Context(), &reqctx.Call{AccountID: 1234567890123456, Principal: reqctx.Principal{Kind: reqctx.PrincipalRoot}})
	seconds := 900
	resp, err := h.AssumeRole(ctx, &AssumeRoleRequest{RoleArn: "acs:ram::1234567890123456:role/ops", RoleSessionName: "s1", DurationSeconds: &seconds})
	if err != nil {
		t.Fatal(err)
	}
	doc := check(t, resp, "AssumeRoleResponse")
	if !strings.Contains(doc, `"Expiration":"2026-02-03T04:20:06Z"`) || !strings.Contains(doc, `"AssumedRoleId":"3456789012345678901:s1"`) ||
		!strings.HasPrefix(resp.Credentials.AccessKeyId, "STS.") {
		t.Errorf("AssumeRole = %s", doc)
	}
	who, _ := h.GetCallerIdentity(ctx, &GetCallerIdentityRequest{})
	if doc := check(t, who, "GetCallerIdentityResponse"); !strings.Contains(doc, `"IdentityType":"Account"`) ||
		!strings.Contains(doc, `"Arn":"acs:ram::1234567890123456:root"`) {
		t.Errorf("GetCallerIdentity = %s", doc)
	}
	roleCtx := reqctx.With(t.Context(), &reqctx.Call{AccountID: 1234567890123456, Principal: reqctx.Principal{
		Kind: reqctx.PrincipalRole, RoleID: "3456789012345678901", RoleName: "Ops", SessionName: "s1"}})
	who, _ = h.GetCallerIdentity(roleCtx, &GetCallerIdentityRequest{})
	if doc := check(t, who, "GetCallerIdentityResponse"); !strings.Contains(doc, `"PrincipalId":"3456789012345678901:s1"`) ||
		!strings.Contains(doc, `assumed-role/ops/s1`) {
		t.Errorf("GetCallerIdentity as a role = %s", doc)
	}
}
