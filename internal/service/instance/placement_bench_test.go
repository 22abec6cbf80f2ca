package instance

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/catalog"
	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/sqlstore"
)

// BenchmarkPlacementOf100OnALargeFleet measures what placement adds to
// RunInstances Amount=100 when the zone already runs a large fleet (default
// 20,000 ecs.g5.large; ECSD_BENCH_FLEET sets another size, e.g. 100000): one
// transaction that reads the zone's host usage, chooses 100 hosts and records
// the placements.
func BenchmarkPlacementOf100OnALargeFleet(b *testing.B) {
	fleet := 20_000
	if v, err := strconv.Atoi(os.Getenv("ECSD_BENCH_FLEET")); err == nil && v > 0 {
		fleet = v
	}
	fx := newBenchFixture(b)
	hosts := fx.deps.Catalog.ZoneHosts("cn-hangzhou-b")
	// The fleet, packed as RunInstances packs it: 64 ecs.g5.large a host.
	for start := 0; start < fleet; start += 1000 {
		err := fx.store.Update(b.Context(), func(tx store.Tx) error {
			ps := make([]store.Placement, 0, 1000)
			for i := start; i < min(start+1000, fleet); i++ {
				ps = append(ps, store.Placement{InstanceID: fmt.Sprintf("i-fleet-%d", i), AccountID: 1, ZoneID: "cn-hangzhou-b",
					HostID: hosts[i/64].ID, VCPUs: 2, MemoryMiB: 8192})
			}
			return tx.PlaceInstances(ps)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("fleet="+strconv.Itoa(fleet), func(b *testing.B) {
		p := &plan{r: rulesFor(ActionRun), amount: 100, minAmount: 100}
		p.typ, _ = fx.deps.Catalog.InstanceType("ecs.g5.large")
		n := 0
		for b.Loop() {
			err := fx.store.Update(b.Context(), func(tx store.Tx) error {
				chosen, err := fx.svc.placeHosts(tx, lfCaller(), p, "cn-hangzhou-b")
				if err != nil {
					return err
				}
				ids := make([]string, len(chosen))
				for i := range ids {
					ids[i] = fmt.Sprintf("i-bench-%d-%d", n, i)
				}
				n++
				return recordPlacements(tx, lfCaller(), p, references{zoneID: "cn-hangzhou-b", hosts: chosen}, ids)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchFixture is a Service on a fresh SQLite store with the default catalog.
type benchFixture struct {
	svc   *Service
	store store.Store
	deps  Deps
}

func newBenchFixture(b *testing.B) *benchFixture {
	b.Helper()
	st, err := sqlstore.OpenSQLite(b.Context(), b.TempDir()+"/ecsd.db", sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	cat, err := catalog.NewDefault()
	if err != nil {
		b.Fatal(err)
	}
	deps := Deps{Store: st, Catalog: cat, Clock: clock.NewFake(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))}
	return &benchFixture{svc: New(deps), store: st, deps: deps}
}
