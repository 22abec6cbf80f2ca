package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

func testAccountRoundTrip(t *testing.T, s store.Store) {
	want := store.Account{ID: 1234567890123456, Name: "alice", Status: store.AccountDisabled, CreatedAt: when()}
	seedAccount(t, s, want)
	view(t, s, func(tx store.Tx) error {
		for what, get := range map[string]func() (store.Account, error){
			"GetAccount":       func() (store.Account, error) { return tx.GetAccount(want.ID) },
			"GetAccountByName": func() (store.Account, error) { return tx.GetAccountByName("alice") },
		} {
			got, err := get()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if got.ID != want.ID || got.Name != want.Name || got.Status != want.Status {
				t.Errorf("%s = %+v, want %+v", what, got, want)
			}
			sameTime(t, what+" CreatedAt", got.CreatedAt, want.CreatedAt)
		}
		return nil
	})
}

func testAccountNotFound(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetAccount(2)
		wantErr(t, "GetAccount(2)", err, store.ErrNotFound)
		_, err = tx.GetAccountByName("bob")
		wantErr(t, "GetAccountByName(bob)", err, store.ErrNotFound)
		_, err = tx.GetAccountByName("ALICE")
		wantErr(t, "GetAccountByName(ALICE)", err, store.ErrNotFound)
		return nil
	})
}

func testAccountConflict(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateAccount(account(1, "bob")) })
	wantErr(t, "CreateAccount with a taken ID", err, store.ErrConflict)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateAccount(account(2, "alice")) })
	wantErr(t, "CreateAccount with a taken name", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListAccounts()
		if err != nil {
			t.Fatalf("ListAccounts: %v", err)
		}
		if len(all) != 1 || all[0].Name != "alice" {
			t.Errorf("ListAccounts = %+v, want only alice", all)
		}
		return nil
	})
}

func testAccountList(t *testing.T, s store.Store) {
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListAccounts()
		if err != nil || len(all) != 0 {
			t.Fatalf("ListAccounts on an empty store = %+v, %v; want none", all, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error {
		for _, id := range []int64{30, 10, 20} {
			if err := tx.CreateAccount(account(id, fmt.Sprintf("acct-%d", id))); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		all, err := tx.ListAccounts()
		if err != nil {
			t.Fatalf("ListAccounts: %v", err)
		}
		var ids []int64
		for _, a := range all {
			ids = append(ids, a.ID)
			sameTime(t, "CreatedAt", a.CreatedAt, when())
		}
		if fmt.Sprint(ids) != "[10 20 30]" {
			t.Errorf("ListAccounts IDs = %v, want [10 20 30]", ids)
		}
		return nil
	})
}

func testAccountSetStatus(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	update(t, s, func(tx store.Tx) error { return tx.SetAccountStatus(1, store.AccountDisabled) })
	view(t, s, func(tx store.Tx) error {
		a, err := tx.GetAccount(1)
		if err != nil || a.Status != store.AccountDisabled || a.Name != "alice" {
			t.Errorf("after disabling: %+v, %v", a, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.SetAccountStatus(1, store.AccountEnabled) })
	view(t, s, func(tx store.Tx) error {
		if a, err := tx.GetAccount(1); err != nil || a.Status != store.AccountEnabled {
			t.Errorf("after enabling: %+v, %v", a, err)
		}
		return nil
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.SetAccountStatus(2, store.AccountDisabled) })
	wantErr(t, "SetAccountStatus(2)", err, store.ErrNotFound)
}

func testAccessKeyRoundTrip(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1234567890123456, "alice"))
	want := store.AccessKey{
		ID: "LTAI5tAbCdEfGhIjKlMnOpQr", Secret: "s3cr3tS3cr3tS3cr3tS3cr3tS3cr3t",
		AccountID: 1234567890123456, Status: store.AccessKeyInactive, CreatedAt: when(),
	}
	update(t, s, func(tx store.Tx) error { return tx.CreateAccessKey(want) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetAccessKey(want.ID)
		if err != nil {
			t.Fatalf("GetAccessKey: %v", err)
		}
		if got.ID != want.ID || got.Secret != want.Secret || got.AccountID != want.AccountID || got.Status != want.Status {
			t.Errorf("GetAccessKey = %+v, want %+v", got, want)
		}
		sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
		return nil
	})
}

func testAccessKeyNotFound(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	update(t, s, func(tx store.Tx) error { return tx.CreateAccessKey(accessKey("LTAIa", 1)) })
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetAccessKey("LTAIb")
		wantErr(t, "GetAccessKey(LTAIb)", err, store.ErrNotFound)
		_, err = tx.GetAccessKey("ltaia")
		wantErr(t, "GetAccessKey(ltaia)", err, store.ErrNotFound)
		return nil
	})
}

func testAccessKeyConflict(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	seedAccount(t, s, account(2, "bob"))
	update(t, s, func(tx store.Tx) error { return tx.CreateAccessKey(accessKey("LTAIa", 1)) })
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateAccessKey(accessKey("LTAIa", 2)) })
	wantErr(t, "CreateAccessKey with a taken ID", err, store.ErrConflict)
	view(t, s, func(tx store.Tx) error {
		if k, err := tx.GetAccessKey("LTAIa"); err != nil || k.AccountID != 1 {
			t.Errorf("GetAccessKey = %+v, %v; want the first key, of account 1", k, err)
		}
		return nil
	})
}

func testAccessKeyMissingAccount(t *testing.T, s store.Store) {
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.CreateAccessKey(accessKey("LTAIa", 99)) })
	wantErr(t, "CreateAccessKey for a missing account", err, store.ErrNotFound)
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetAccessKey("LTAIa")
		wantErr(t, "GetAccessKey", err, store.ErrNotFound)
		return nil
	})
}

func testAccessKeyList(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	seedAccount(t, s, account(2, "bob"))
	base := when()
	update(t, s, func(tx store.Tx) error {
		// Inserted out of creation order; two keys share a timestamp (ordered by ID).
		for _, k := range []struct {
			id      string
			account int64
			offset  time.Duration
		}{{"LTAIc", 1, 2 * time.Second}, {"LTAIa", 1, 0}, {"LTAIx", 2, 0}, {"LTAIb", 1, 2 * time.Second}, {"LTAIz", 1, time.Nanosecond}} {
			key := accessKey(k.id, k.account)
			key.CreatedAt = base.Add(k.offset)
			if err := tx.CreateAccessKey(key); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx store.Tx) error {
		keys, err := tx.ListAccessKeys(1)
		if err != nil {
			t.Fatalf("ListAccessKeys(1): %v", err)
		}
		var ids []string
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
		if fmt.Sprint(ids) != "[LTAIa LTAIz LTAIb LTAIc]" {
			t.Errorf("ListAccessKeys(1) = %v, want [LTAIa LTAIz LTAIb LTAIc]", ids)
		}
		if len(keys) == 4 {
			sameTime(t, "second key CreatedAt", keys[1].CreatedAt, base.Add(time.Nanosecond))
		}
		if keys, err := tx.ListAccessKeys(3); err != nil || len(keys) != 0 {
			t.Errorf("ListAccessKeys(3) = %+v, %v; want none", keys, err)
		}
		return nil
	})
}

func testAccessKeySetStatus(t *testing.T, s store.Store) {
	seedAccount(t, s, account(1, "alice"))
	update(t, s, func(tx store.Tx) error { return tx.CreateAccessKey(accessKey("LTAIa", 1)) })
	update(t, s, func(tx store.Tx) error { return tx.SetAccessKeyStatus("LTAIa", store.AccessKeyInactive) })
	view(t, s, func(tx store.Tx) error {
		k, err := tx.GetAccessKey("LTAIa")
		if err != nil || k.Status != store.AccessKeyInactive || k.Secret != "secret-LTAIa" {
			t.Errorf("after deactivating: %+v, %v", k, err)
		}
		return nil
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.SetAccessKeyStatus("LTAIb", store.AccessKeyInactive) })
	wantErr(t, "SetAccessKeyStatus(LTAIb)", err, store.ErrNotFound)
}

func testSettingRoundTrip(t *testing.T, s store.Store) {
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetSetting("region")
		wantErr(t, "GetSetting on an empty store", err, store.ErrNotFound)
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.PutSetting("region", "cn-hangzhou") })
	update(t, s, func(tx store.Tx) error { return tx.PutSetting("empty", "") })
	view(t, s, func(tx store.Tx) error {
		if v, err := tx.GetSetting("region"); err != nil || v != "cn-hangzhou" {
			t.Errorf("GetSetting(region) = %q, %v", v, err)
		}
		if v, err := tx.GetSetting("empty"); err != nil || v != "" {
			t.Errorf("GetSetting(empty) = %q, %v; want the empty string", v, err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.PutSetting("region", "cn-beijing") })
	view(t, s, func(tx store.Tx) error {
		if v, err := tx.GetSetting("region"); err != nil || v != "cn-beijing" {
			t.Errorf("GetSetting(region) after replace = %q, %v", v, err)
		}
		return nil
	})
}

func idempotency(accountID int64, action, token, response string) store.Idempotency {
	return store.Idempotency{
		AccountID: accountID, Action: action, Token: token,
		ParamsHash: "sha256:" + token, Response: response, CreatedAt: when(),
	}
}

func testIdempotencyRoundTrip(t *testing.T, s store.Store) {
	want := idempotency(1234567890123456, "RunInstances", "token-1", `{"InstanceIdSets":{"InstanceIdSet":["i-bp1"]}}`)
	update(t, s, func(tx store.Tx) error { return tx.PutIdempotency(want) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetIdempotency(want.AccountID, want.Action, want.Token)
		if err != nil {
			t.Fatalf("GetIdempotency: %v", err)
		}
		if got.AccountID != want.AccountID || got.Action != want.Action || got.Token != want.Token ||
			got.ParamsHash != want.ParamsHash || got.Response != want.Response {
			t.Errorf("GetIdempotency = %+v, want %+v", got, want)
		}
		sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
		for _, k := range []struct {
			account       int64
			action, token string
		}{{2, "RunInstances", "token-1"}, {want.AccountID, "CreateDisk", "token-1"}, {want.AccountID, "RunInstances", "token-2"}} {
			_, err := tx.GetIdempotency(k.account, k.action, k.token)
			wantErr(t, fmt.Sprintf("GetIdempotency(%d, %s, %s)", k.account, k.action, k.token), err, store.ErrNotFound)
		}
		return nil
	})
}

func testIdempotencyConflict(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error { return tx.PutIdempotency(idempotency(1, "RunInstances", "t", "first")) })
	err := s.Update(t.Context(), func(tx store.Tx) error {
		return tx.PutIdempotency(idempotency(1, "RunInstances", "t", "second"))
	})
	wantErr(t, "PutIdempotency with a taken key", err, store.ErrConflict)
	// The same token under another account or action is a different key.
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutIdempotency(idempotency(2, "RunInstances", "t", "other account")); err != nil {
			return err
		}
		return tx.PutIdempotency(idempotency(1, "CreateDisk", "t", "other action"))
	})
	view(t, s, func(tx store.Tx) error {
		if r, err := tx.GetIdempotency(1, "RunInstances", "t"); err != nil || r.Response != "first" {
			t.Errorf("GetIdempotency = %+v, %v; want the first record", r, err)
		}
		return nil
	})
}

func testCredential(t *testing.T, s store.Store) {
	_, _, err := s.Credential(t.Context(), "LTAIa")
	wantErr(t, "Credential on an empty store", err, store.ErrNotFound)
	seedAccount(t, s, account(1, "alice"))
	update(t, s, func(tx store.Tx) error { return tx.CreateAccessKey(accessKey("LTAIa", 1)) })
	k, a, err := s.Credential(t.Context(), "LTAIa")
	if err != nil || k.ID != "LTAIa" || k.Secret != "secret-LTAIa" || k.AccountID != 1 || k.Status != store.AccessKeyActive ||
		a.ID != 1 || a.Name != "alice" || a.Status != store.AccountEnabled || k.CreatedAt.IsZero() || a.CreatedAt.IsZero() {
		t.Fatalf("Credential = %+v, %+v, %v", k, a, err)
	}
	// Changes are visible to the next call at once: nothing is cached.
	update(t, s, func(tx store.Tx) error { return tx.SetAccessKeyStatus("LTAIa", store.AccessKeyInactive) })
	update(t, s, func(tx store.Tx) error { return tx.SetAccountStatus(1, store.AccountDisabled) })
	k, a, err = s.Credential(t.Context(), "LTAIa")
	if err != nil || k.Status != store.AccessKeyInactive || a.Status != store.AccountDisabled {
		t.Fatalf("after disabling: %+v, %+v, %v", k, a, err)
	}
}
