package accounts

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/reqctx"
	"github.com/ecsd/ecsd/internal/store"
)

func TestCreatedAccountsAreSeparateAndDisablingStopsEveryKey(t *testing.T) {
	s, st := newService(t)
	ctx := t.Context()
	a, err := s.CreateAccount(ctx, "tenant-a")
	if err != nil || a.AccountID <= 0 || a.AccessKeyID == "" || a.AccessKeySecret == "" {
		t.Fatalf("CreateAccount = %+v, %v", a, err)
	}
	if _, err := s.CreateAccount(ctx, "tenant-a"); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("same name again: %v", err)
	}
	for _, bad := range []string{"", "has space", "12345"} {
		if _, err := s.CreateAccount(ctx, bad); err == nil {
			t.Errorf("CreateAccount(%q) accepted", bad)
		}
	}
	b, _ := s.CreateAccount(ctx, "tenant-b")
	if b.AccountID == a.AccountID {
		t.Fatal("two accounts share an ID")
	}
	// A RAM user's key and an STS token of tenant-a.
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateRAMUser(store.RAMUser{ID: "u1", AccountID: a.AccountID, Name: "alice"}); err != nil {
			return err
		}
		if err := tx.CreateAccessKey(store.AccessKey{ID: "LTAIuser", Secret: "s", AccountID: a.AccountID, Status: store.AccessKeyActive, UserID: "u1"}); err != nil {
			return err
		}
		return tx.CreateSTSToken(store.STSToken{AccessKeyID: "STS.tok", Secret: "s", SecurityToken: "t", AccountID: a.AccountID,
			RoleID: "r1", RoleName: "R", SessionName: "s1", ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	})
	if err != nil {
		t.Fatal(err)
	}
	user, err := s.LookupAccessKey(ctx, "LTAIuser")
	if err != nil || !user.Active || user.Principal != (reqctx.Principal{Kind: reqctx.PrincipalUser, UserID: "u1", UserName: "alice"}) {
		t.Fatalf("user key = %+v, %v", user, err)
	}
	tok, err := s.LookupAccessKey(ctx, "STS.tok")
	if err != nil || !tok.Active || tok.SecurityToken != "t" || tok.Principal.Kind != reqctx.PrincipalRole || tok.Principal.RoleName != "R" {
		t.Fatalf("sts key = %+v, %v", tok, err)
	}
	if _, err := s.LookupAccessKey(ctx, "STS.nope"); !errors.Is(err, ErrUnknownAccessKey) {
		t.Fatalf("unknown sts key: %v", err)
	}
	if _, err := s.SetAccountEnabled(ctx, "tenant-a", false); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.AccessKeyID, "LTAIuser", "STS.tok"} {
		if c, err := s.LookupAccessKey(ctx, id); err != nil || c.Active {
			t.Errorf("%s of a disabled account: %+v, %v", id, c, err)
		}
	}
	if c, _ := s.LookupAccessKey(ctx, b.AccessKeyID); !c.Active {
		t.Error("disabling tenant-a disabled tenant-b")
	}
	// Enable by ID.
	if _, err := s.SetAccountEnabled(ctx, strconv.FormatInt(a.AccountID, 10), true); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.LookupAccessKey(ctx, a.AccessKeyID); !c.Active {
		t.Error("enabled again, the key still fails")
	}
	if _, err := s.SetAccountEnabled(ctx, "nobody", true); !errors.Is(err, ErrUnknownAccount) {
		t.Fatalf("unknown account: %v", err)
	}
	list, _ := s.ListAccounts(ctx)
	if len(list) != 2 {
		t.Fatalf("ListAccounts = %+v", list)
	}
}
