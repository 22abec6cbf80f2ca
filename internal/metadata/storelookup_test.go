package metadata

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// TestStoreLookupFindsTheInstanceBehindAnAddressOfItsVPC records an instance
// with its primary interface, a key pair and user data in a SQLite store, and
// checks what the guest's metadata is built from; an address of another VPC
// or of an unattached interface is nobody.
func TestStoreLookupFindsTheInstanceBehindAnAddressOfItsVPC(t *testing.T) {
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	const acct = 7
	err = st.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.CreateVPC(store.VPC{ID: "vpc-1", AccountID: acct, RegionID: "cn-hangzhou", CidrBlock: "172.16.0.0/12",
			Status: "Available", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateVSwitch(store.VSwitch{ID: "vsw-1", AccountID: acct, RegionID: "cn-hangzhou", VpcID: "vpc-1",
			ZoneID: "cn-hangzhou-b", CidrBlock: "172.16.1.0/24", Status: "Available", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateKeyPair(store.KeyPair{ID: "kp-1", AccountID: acct, RegionID: "cn-hangzhou", Name: "ops",
			FingerPrint: "00", PublicKey: "ssh-ed25519 AAAAC3Nza ops", CreatedAt: now}); err != nil {
			return err
		}
		in := store.Instance{ID: "i-1", AccountID: acct, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b", HostName: "web-1",
			InstanceType: "ecs.g5.large", ImageID: "debian_12", VpcID: "vpc-1", VSwitchID: "vsw-1", PrivateIP: "172.16.1.5",
			Status: "Running", KeyPairName: "ops", SerialNumber: "sn-1",
			UserData: base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n")), CreatedAt: now}
		if err := tx.CreateInstance(in); err != nil {
			return err
		}
		for _, n := range []store.NetworkInterface{
			{ID: "eni-1", InstanceID: "i-1", PrivateIP: "172.16.1.5", MAC: "00:16:3e:00:00:01", Type: store.NetworkInterfacePrimary, Status: "InUse"},
			{ID: "eni-2", PrivateIP: "172.16.1.6", MAC: "00:16:3e:00:00:02", Type: store.NetworkInterfaceSecondary, Status: "Available"},
		} {
			n.AccountID, n.RegionID, n.ZoneID, n.VpcID, n.VSwitchID, n.CreatedAt = acct, "cn-hangzhou", "cn-hangzhou-b", "vpc-1", "vsw-1", now
			if err := tx.CreateNetworkInterface(n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l := StoreLookup{Store: st, AccountID: acct, RegionID: "cn-hangzhou", VpcID: "vpc-1"}
	got, err := l.InstanceByIP(t.Context(), netip.MustParseAddr("172.16.1.5"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "i-1" || got.HostName != "web-1" || got.SerialNumber != "sn-1" || string(got.UserData) != "#!/bin/sh\necho hi\n" ||
		len(got.PublicKeys) != 1 || got.PublicKeys[0] != "ssh-ed25519 AAAAC3Nza ops" || got.OwnerAccountID != acct {
		t.Errorf("instance = %+v", got)
	}
	if len(got.Interfaces) != 1 {
		t.Fatalf("interfaces = %+v, want the primary one", got.Interfaces)
	}
	ifc := got.Interfaces[0]
	if ifc.ID != "eni-1" || ifc.MAC != "00:16:3e:00:00:01" || ifc.PrimaryIP.String() != "172.16.1.5" ||
		ifc.VSwitchCIDR.String() != "172.16.1.0/24" || ifc.VpcCIDR.String() != "172.16.0.0/12" || ifc.Gateway.String() != "172.16.1.253" {
		t.Errorf("interface = %+v", ifc)
	}
	for _, ip := range []string{"172.16.1.6", "172.16.1.9"} { // unattached, unknown
		if _, err := l.InstanceByIP(t.Context(), netip.MustParseAddr(ip)); !errors.Is(err, ErrNotFound) {
			t.Errorf("InstanceByIP(%s) = %v, want ErrNotFound", ip, err)
		}
	}
	other := StoreLookup{Store: st, AccountID: acct, RegionID: "cn-hangzhou", VpcID: "vpc-2"}
	if _, err := other.InstanceByIP(t.Context(), netip.MustParseAddr("172.16.1.5")); !errors.Is(err, ErrNotFound) {
		t.Errorf("another VPC's lookup of 172.16.1.5 = %v, want ErrNotFound", err)
	}
}
