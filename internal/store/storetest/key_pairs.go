package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// keyPairCases cover store.KeyPairTx.
var keyPairCases = []contractCase{
	{"KeyPair/RoundTripAndNameUniquePerAccountAndRegion", testKeyPairRoundTrip},
	{"KeyPair/ListNewestFirstWithPages", testKeyPairListPages},
	{"KeyPair/ListByNamesAndFingerPrint", testKeyPairListFilters},
	{"KeyPair/ListNameWildcards", testKeyPairNameWildcards},
	{"KeyPair/CountAndDelete", testKeyPairCountAndDelete},
	{"KeyPair/TagsFilterAndGoWithTheKeyPair", testKeyPairTags},
}

func keyPair(account int64, region, name string, created time.Time) store.KeyPair {
	return store.KeyPair{ID: fmt.Sprintf("kp-%d-%s-%s", account, region, name), AccountID: account, RegionID: region, Name: name,
		FingerPrint: fmt.Sprintf("%032x", len(name)), PublicKey: "ssh-ed25519 AAAA " + name, CreatedAt: created}
}

// createKeyPairs commits key pairs of account 1 in cn-hangzhou, one second
// apart in the order given.
func createKeyPairs(t *testing.T, s store.Store, names ...string) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for i, n := range names {
			if err := tx.CreateKeyPair(keyPair(1, "cn-hangzhou", n, when().Add(time.Duration(i)*time.Second))); err != nil {
				return err
			}
		}
		return nil
	})
}

// keyPairNames lists the names matching f, in the store's order.
func keyPairNames(t *testing.T, s store.Store, f store.KeyPairFilter) ([]string, int) {
	t.Helper()
	var names []string
	var total int
	view(t, s, func(tx store.Tx) error {
		list, n, err := tx.ListKeyPairs(f)
		if err != nil {
			t.Fatalf("ListKeyPairs(%+v): %v", f, err)
		}
		for _, k := range list {
			names = append(names, k.Name)
		}
		total = n
		return nil
	})
	return names, total
}

func testKeyPairRoundTrip(t *testing.T, s store.Store) {
	k := store.KeyPair{ID: "kp-1", AccountID: 1234567890123456, RegionID: "cn-hangzhou", Name: "密钥-Ab.c_d",
		FingerPrint: "bebaec2b9ea068b8196b9a26ccb158ff", PublicKey: "ssh-rsa AAAAB3NzaC1yc2E user@host",
		Tags: []store.Tag{{Key: "env", Value: "prod"}, {Key: "app", Value: ""}}, CreatedAt: when()}
	update(t, s, func(tx store.Tx) error { return tx.CreateKeyPair(k) })
	view(t, s, func(tx store.Tx) error {
		got, err := tx.GetKeyPair(k.AccountID, "cn-hangzhou", k.Name)
		if err != nil {
			t.Fatalf("GetKeyPair: %v", err)
		}
		sameTime(t, "CreatedAt", got.CreatedAt, k.CreatedAt)
		want := k
		want.CreatedAt = got.CreatedAt
		want.Tags = []store.Tag{{Key: "app", Value: ""}, {Key: "env", Value: "prod"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GetKeyPair = %+v, want %+v (tags in key order)", got, want)
		}
		for _, miss := range []struct {
			account      int64
			region, name string
		}{{2, "cn-hangzhou", k.Name}, {k.AccountID, "cn-beijing", k.Name}, {k.AccountID, "cn-hangzhou", "密钥-ab.c_d"}} {
			_, err := tx.GetKeyPair(miss.account, miss.region, miss.name)
			wantErr(t, fmt.Sprintf("GetKeyPair(%d, %s, %s)", miss.account, miss.region, miss.name), err, store.ErrNotFound)
		}
		return nil
	})
	// The same name is taken once per account and region, an ID once; a
	// conflict leaves the transaction usable.
	update(t, s, func(tx store.Tx) error {
		dup := k
		dup.ID, dup.FingerPrint = "kp-2", "other"
		wantErr(t, "CreateKeyPair with a taken name", tx.CreateKeyPair(dup), store.ErrConflict)
		dup = k
		dup.Name = "other"
		wantErr(t, "CreateKeyPair with a taken ID", tx.CreateKeyPair(dup), store.ErrConflict)
		other := k
		other.ID, other.AccountID = "kp-3", 2
		if err := tx.CreateKeyPair(other); err != nil {
			return err
		}
		other = k
		other.ID, other.RegionID = "kp-4", "cn-beijing"
		return tx.CreateKeyPair(other)
	})
	view(t, s, func(tx store.Tx) error {
		if got, err := tx.GetKeyPair(k.AccountID, "cn-hangzhou", k.Name); err != nil || got.FingerPrint != k.FingerPrint {
			t.Errorf("after the conflict: %+v, %v; want the first key pair", got, err)
		}
		return nil
	})
}

func testKeyPairListPages(t *testing.T, s store.Store) {
	if names, total := keyPairNames(t, s, store.KeyPairFilter{AccountID: 1, RegionID: "cn-hangzhou"}); len(names) != 0 || total != 0 {
		t.Fatalf("empty store lists %v (%d)", names, total)
	}
	createKeyPairs(t, s, "k1", "k2", "k3", "k4", "k5")
	update(t, s, func(tx store.Tx) error {
		// Same creation time as k5: ordered by name after it.
		if err := tx.CreateKeyPair(keyPair(1, "cn-hangzhou", "k0", when().Add(4*time.Second))); err != nil {
			return err
		}
		if err := tx.CreateKeyPair(keyPair(1, "cn-beijing", "elsewhere", when())); err != nil {
			return err
		}
		return tx.CreateKeyPair(keyPair(2, "cn-hangzhou", "theirs", when()))
	})
	all, total := keyPairNames(t, s, store.KeyPairFilter{AccountID: 1, RegionID: "cn-hangzhou"})
	if fmt.Sprint(all) != "[k0 k5 k4 k3 k2 k1]" || total != 6 {
		t.Errorf("all = %v (%d), want newest first, then by name", all, total)
	}
	for _, c := range []struct {
		page  store.Page
		want  string
		total int
	}{
		{store.Page{Number: 1, Size: 4}, "[k0 k5 k4 k3]", 6},
		{store.Page{Number: 2, Size: 4}, "[k2 k1]", 6},
		{store.Page{Number: 3, Size: 4}, "[]", 6},
	} {
		got, total := keyPairNames(t, s, store.KeyPairFilter{AccountID: 1, RegionID: "cn-hangzhou", Page: c.page})
		if fmt.Sprint(got) != c.want || total != c.total {
			t.Errorf("page %+v = %v (%d), want %s (%d)", c.page, got, total, c.want, c.total)
		}
	}
	if got, _ := keyPairNames(t, s, store.KeyPairFilter{AccountID: 1}); len(got) != 7 {
		t.Errorf("every region of account 1 = %v, want 7", got)
	}
}

func testKeyPairListFilters(t *testing.T, s store.Store) {
	createKeyPairs(t, s, "a", "bb", "cc", "ddd")
	for _, c := range []struct {
		f     store.KeyPairFilter
		want  string
		total int
	}{
		{store.KeyPairFilter{Names: []string{"a", "cc", "zz"}}, "[cc a]", 2},
		{store.KeyPairFilter{FingerPrint: fmt.Sprintf("%032x", 2)}, "[cc bb]", 2},
		{store.KeyPairFilter{FingerPrint: fmt.Sprintf("%032x", 2), Names: []string{"bb", "ddd"}}, "[bb]", 1},
		{store.KeyPairFilter{Name: "cc"}, "[cc]", 1},
		{store.KeyPairFilter{Name: "c"}, "[]", 0},
	} {
		c.f.AccountID, c.f.RegionID = 1, "cn-hangzhou"
		got, total := keyPairNames(t, s, c.f)
		if fmt.Sprint(got) != c.want || total != c.total {
			t.Errorf("filter %+v = %v (%d), want %s (%d)", c.f, got, total, c.want, c.total)
		}
	}
}

func testKeyPairNameWildcards(t *testing.T, s store.Store) {
	// The store takes any name; the API allows only letters, digits, Chinese, '.',
	// '_' and '-', but the matching must not depend on that.
	createKeyPairs(t, s, "SshKey", "mySshKey", "SshKeyProd", "aSshKeyb", "sshkey-lower", "Ssh_Key",
		"SshxKey", "Ssh%Key", `Ssh\Key`, "k[1]?", "k1", "密钥对SshKey")
	for _, c := range []struct {
		pattern string
		want    string
	}{
		{"*SshKey", "[密钥对SshKey mySshKey SshKey]"},
		{"SshKey*", "[SshKeyProd SshKey]"},
		{"*SshKey*", "[密钥对SshKey aSshKeyb SshKeyProd mySshKey SshKey]"},
		{"SshKey", "[SshKey]"},
		{"sshkey*", "[sshkey-lower]"},
		{"Ssh_Key*", "[Ssh_Key]"},
		{"Ssh%Key*", "[Ssh%Key]"},
		{`Ssh\Key*`, `[Ssh\Key]`},
		{"Ssh*Key", `[Ssh\Key Ssh%Key SshxKey Ssh_Key SshKey]`},
		{"k[1]?*", "[k[1]?]"},
		{"*?", "[k[1]?]"},
		{"密钥*", "[密钥对SshKey]"},
		{"*", "[密钥对SshKey k1 k[1]? Ssh\\Key Ssh%Key SshxKey Ssh_Key sshkey-lower aSshKeyb SshKeyProd mySshKey SshKey]"},
	} {
		got, total := keyPairNames(t, s, store.KeyPairFilter{AccountID: 1, RegionID: "cn-hangzhou", Name: c.pattern})
		if fmt.Sprint(got) != c.want || total != len(got) {
			t.Errorf("Name %q = %v (%d), want %s", c.pattern, got, total, c.want)
		}
	}
}

func testKeyPairCountAndDelete(t *testing.T, s store.Store) {
	createKeyPairs(t, s, "a", "b", "c")
	update(t, s, func(tx store.Tx) error { return tx.CreateKeyPair(keyPair(1, "cn-beijing", "a", when())) })
	count := func(region string) int {
		var n int
		view(t, s, func(tx store.Tx) error {
			var err error
			n, err = tx.CountKeyPairs(1, region)
			return err
		})
		return n
	}
	if n := count("cn-hangzhou"); n != 3 {
		t.Errorf("CountKeyPairs = %d, want 3", n)
	}
	update(t, s, func(tx store.Tx) error {
		wantErr(t, "DeleteKeyPair of another account", tx.DeleteKeyPair(2, "cn-hangzhou", "a"), store.ErrNotFound)
		return tx.DeleteKeyPair(1, "cn-hangzhou", "a")
	})
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteKeyPair(1, "cn-hangzhou", "a") })
	wantErr(t, "DeleteKeyPair twice", err, store.ErrNotFound)
	if h, b := count("cn-hangzhou"), count("cn-beijing"); h != 2 || b != 1 {
		t.Errorf("after delete: %d in cn-hangzhou, %d in cn-beijing; want 2 and 1", h, b)
	}
	view(t, s, func(tx store.Tx) error {
		_, err := tx.GetKeyPair(1, "cn-hangzhou", "a")
		wantErr(t, "GetKeyPair after delete", err, store.ErrNotFound)
		return nil
	})
}

func testKeyPairTags(t *testing.T, s store.Store) {
	tagged := func(account int64, name string, created time.Time, tags ...store.Tag) store.KeyPair {
		k := keyPair(account, "cn-hangzhou", name, created)
		k.Tags = tags
		return k
	}
	update(t, s, func(tx store.Tx) error {
		for _, k := range []store.KeyPair{
			tagged(1, "k1", when(), store.Tag{Key: "env", Value: "prod"}, store.Tag{Key: "team", Value: "a"}),
			tagged(1, "k2", when().Add(time.Second), store.Tag{Key: "env", Value: "dev"}),
			tagged(1, "k3", when().Add(2*time.Second)),
			tagged(2, "k1", when(), store.Tag{Key: "env", Value: "prod"}, store.Tag{Key: "owner", Value: "b"}),
		} {
			if err := tx.CreateKeyPair(k); err != nil {
				return err
			}
		}
		return nil
	})
	for _, c := range []struct {
		tags []store.Tag
		want string
	}{
		{[]store.Tag{{Key: "env", Value: "prod"}}, "[k1]"},
		{[]store.Tag{{Key: "env"}}, "[k2 k1]"},
		{[]store.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "a"}}, "[k1]"},
		{[]store.Tag{{Key: "env", Value: "dev"}, {Key: "team", Value: "a"}}, "[]"},
		{[]store.Tag{{Key: "owner"}}, "[]"},
		{[]store.Tag{{Key: "ENV"}}, "[]"},
	} {
		got, total := keyPairNames(t, s, store.KeyPairFilter{AccountID: 1, RegionID: "cn-hangzhou", Tags: c.tags})
		if fmt.Sprint(got) != c.want || total != len(got) {
			t.Errorf("Tags %+v = %v (%d), want %s", c.tags, got, total, c.want)
		}
	}
	view(t, s, func(tx store.Tx) error {
		list, _, err := tx.ListKeyPairs(store.KeyPairFilter{AccountID: 1, RegionID: "cn-hangzhou"})
		if err != nil || len(list) != 3 {
			t.Fatalf("ListKeyPairs = %+v, %v", list, err)
		}
		if fmt.Sprint(list[0].Tags, list[1].Tags, list[2].Tags) != "[] [{env dev}] [{env prod} {team a}]" || list[0].Tags == nil {
			t.Errorf("listed tags = %v %v %v; want each key pair's own, in key order, [] for none", list[0].Tags, list[1].Tags, list[2].Tags)
		}
		return nil
	})
	// A deleted key pair's tags go with it: the same ID created again has none.
	update(t, s, func(tx store.Tx) error { return tx.DeleteKeyPair(1, "cn-hangzhou", "k1") })
	update(t, s, func(tx store.Tx) error { return tx.CreateKeyPair(tagged(1, "k1", when())) })
	view(t, s, func(tx store.Tx) error {
		if k, err := tx.GetKeyPair(1, "cn-hangzhou", "k1"); err != nil || len(k.Tags) != 0 {
			t.Errorf("re-created k1 = %+v, %v; want no tags", k, err)
		}
		if k, err := tx.GetKeyPair(2, "cn-hangzhou", "k1"); err != nil || len(k.Tags) != 2 {
			t.Errorf("account 2's k1 = %+v, %v; want its two tags kept", k, err)
		}
		return nil
	})
}
