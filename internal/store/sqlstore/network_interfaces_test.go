package sqlstore

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// TestMigration0013GivesEveryInstanceItsPrimaryInterface upgrades a database
// that has instances but no network interfaces yet: each instance gets its
// primary interface, InUse, with its address and no stored MAC.
func TestMigration0013GivesEveryInstanceItsPrimaryInterface(t *testing.T) {
	db := openSQLiteFile(t, filepath.Join(t.TempDir(), "ecsd.db"), Options{})
	defer db.Close()
	for _, q := range []string{"DROP TABLE network_interfaces", "DROP TABLE network_interface_security_groups",
		"DELETE FROM schema_migrations WHERE version = 13"} {
		if _, err := db.write.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := store.Instance{ID: "i-bp1abc", AccountID: 7, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", Name: "n",
		InstanceType: "ecs.g5.large", VpcID: "vpc-1", VSwitchID: "vsw-1", PrivateIP: "192.168.1.9", Status: "Running",
		CreatedAt: created}
	if err := db.Update(t.Context(), func(tx store.Tx) error { return tx.CreateInstance(in) }); err != nil {
		t.Fatal(err)
	}
	if err := db.migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	err := db.View(t.Context(), func(tx store.Tx) error {
		n, err := tx.GetNetworkInterface(7, "eni-bp1abc")
		want := store.NetworkInterface{ID: "eni-bp1abc", AccountID: 7, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
			VpcID: "vpc-1", VSwitchID: "vsw-1", Type: store.NetworkInterfacePrimary, Status: "InUse", InstanceID: "i-bp1abc",
			PrivateIP: "192.168.1.9", CreatedAt: created, AttachedAt: created}
		if err != nil || n != want {
			t.Errorf("primary interface = %+v, %v\nwant %+v", n, err, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
