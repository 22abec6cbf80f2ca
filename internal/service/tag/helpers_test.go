package tag

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/api/apierr"
	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/service/image"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// The callers of the tests: alice (1) in two regions and bob (2).
var (
	alice      = Caller{AccountID: 1, RegionID: "cn-hangzhou"}
	aliceNorth = Caller{AccountID: 1, RegionID: "cn-beijing"}
	bob        = Caller{AccountID: 2, RegionID: "cn-hangzhou"}
)

// customImage is alice's custom image in cn-hangzhou, served by selfImages.
const customImage = "m-alice1"

// selfImages is an image source with one custom image of alice's.
type selfImages struct{}

func (selfImages) Images(_ context.Context, account int64, region string, _ image.Query) ([]image.Image, error) {
	if account != alice.AccountID || region != alice.RegionID {
		return nil, nil
	}
	return []image.Image{{ID: customImage, Name: "mine", OwnerAlias: image.OwnerSelf, OwnerID: 1,
		Status: image.StatusAvailable, CreationTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}}, nil
}

type fixture struct {
	t     *testing.T
	svc   *Service
	store store.Store
	// systemImage is an image of the embedded catalog offered in cn-hangzhou.
	systemImage string
}

// newFixture returns the service on a fresh SQLite store holding, for alice
// in cn-hangzhou, the instance i-1, the disk d-1, the groups sg-1 and sg-2,
// the key pair "web", the VPC vpc-1 and the VSwitch vsw-1; for alice in
// cn-beijing the group sg-north; for bob the group sg-bob.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "ecsd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cat, err := catalog.NewDefault()
	if err != nil {
		t.Fatal(err)
	}
	images := image.New(image.Deps{Store: st, Catalog: cat, Sources: []image.Source{selfImages{}}})
	f := &fixture{t: t, store: st, svc: New(Deps{Store: st, Images: images})}
	sys, err := image.EmbeddedSystemCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range sys.All() {
		if regions, _ := sys.Regions(img.ID); regions == nil || slices.Contains(regions, "cn-hangzhou") {
			f.systemImage = img.ID
			break
		}
	}
	f.seed()
	return f
}

func (f *fixture) seed() {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	group := func(id string, account int64, region string) store.SecurityGroup {
		return store.SecurityGroup{ID: id, AccountID: account, RegionID: region, Name: id, Type: "normal",
			InnerAccessPolicy: "Accept", CreatedAt: now}
	}
	err := f.store.Update(f.t.Context(), func(tx store.Tx) error {
		for _, g := range []store.SecurityGroup{group("sg-1", 1, "cn-hangzhou"), group("sg-2", 1, "cn-hangzhou"),
			group("sg-north", 1, "cn-beijing"), group("sg-bob", 2, "cn-hangzhou")} {
			if err := tx.CreateSecurityGroup(g); err != nil {
				return err
			}
		}
		if err := tx.CreateKeyPair(store.KeyPair{ID: "kp-internal-1", AccountID: 1, RegionID: "cn-hangzhou", Name: "web",
			FingerPrint: "00", PublicKey: "ssh-ed25519 AAAA", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateVPC(store.VPC{ID: "vpc-1", AccountID: 1, RegionID: "cn-hangzhou", CidrBlock: "10.0.0.0/8",
			Status: "Available", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateVSwitch(store.VSwitch{ID: "vsw-1", AccountID: 1, RegionID: "cn-hangzhou", VpcID: "vpc-1",
			ZoneID: "cn-hangzhou-b", CidrBlock: "10.0.0.0/24", Status: "Available", CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateInstance(store.Instance{ID: "i-1", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
			InstanceType: "ecs.g5.large", Status: "Running", CreatedAt: now, DriverHandle: []byte(`{}`)}); err != nil {
			return err
		}
		if err := tx.CreateSnapshot(store.Snapshot{ID: "s-1", AccountID: 1, RegionID: "cn-hangzhou", Type: "user",
			SourceDiskID: "d-1", Status: "accomplished", CreatedAt: now}); err != nil {
			return err
		}
		return tx.CreateDisk(store.Disk{ID: "d-1", AccountID: 1, RegionID: "cn-hangzhou", ZoneID: "cn-hangzhou-b",
			Type: "data", Category: "cloud_essd", SizeGiB: 20, Status: "Available", CreatedAt: now})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// tagsOf returns a resource's tags as the store has them.
func (f *fixture) tagsOf(resourceType, id string) []store.Tag {
	f.t.Helper()
	var out []store.Tag
	err := f.store.View(f.t.Context(), func(tx store.Tx) error {
		m, err := tx.GetTags(1, resourceType, []string{id})
		out = m[id]
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// tags builds tags from "key=value" strings.
func tags(kvs ...string) []store.Tag {
	out := make([]store.Tag, len(kvs))
	for i, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		out[i] = store.Tag{Key: k, Value: v}
	}
	return out
}

// numbered returns n tags k0=v0, k1=v1, ….
func numbered(n int) []store.Tag {
	out := make([]store.Tag, n)
	for i := range out {
		out[i] = store.Tag{Key: fmt.Sprintf("k%d", i), Value: fmt.Sprintf("v%d", i)}
	}
	return out
}

// wantCode fails unless err is the API error code with status and message
// (message "" skips that check).
func wantCode(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	var e *apierr.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if e.Code != code || e.HTTPStatus != status || message != "" && e.Message != message {
		t.Fatalf("got %s (%d) %q, want %s (%d) %q", e.Code, e.HTTPStatus, e.Message, code, status, message)
	}
}
