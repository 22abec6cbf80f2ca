package instance

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/sim"
	"github.com/ecsd/ecsd/internal/store"
)

// runReconciler runs f's reconciler until the test ends.
func (f *launchFixture) runReconciler(t *testing.T, svc *Service) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { svc.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// waitStatus waits until instance id has status want.
func (f *launchFixture) waitStatus(t *testing.T, id, want string) {
	t.Helper()
	waitFor(t, id+" "+want, func() bool { return f.status(t, id) == want })
}

// driverState is what the driver reports for instance id ("" without a handle).
func (f *launchFixture) driverState(t *testing.T, drv driver.Compute, id string) driver.PowerState {
	t.Helper()
	in := f.get(t, id)
	if len(in.DriverHandle) == 0 {
		return ""
	}
	h, err := decodeHandle(in.DriverHandle)
	if err != nil {
		t.Fatal(err)
	}
	state, err := drv.Inspect(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// waitDriver waits until the driver reports state for instance id.
func (f *launchFixture) waitDriver(t *testing.T, drv driver.Compute, id string, state driver.PowerState) {
	t.Helper()
	waitFor(t, id+" "+string(state)+" in the driver", func() bool { return f.driverState(t, drv, id) == state })
}

func TestEachTransitionalStatusLastsTheDriversDelay(t *testing.T) {
	const delay = 30 * time.Second
	f := newLaunchFixtureWith(t, sim.Config{Delays: sim.Delays{Boot: sim.Duration(delay), Stop: sim.Duration(delay),
		Reboot: sim.Duration(delay)}})
	f.runReconciler(t, f.svc)
	id := f.launch(t, runInput(nil))[0]
	if s := f.status(t, id); s != StatusPending {
		t.Fatalf("RunInstances answered with %s, want Pending", s)
	}
	f.waitDriver(t, f.sim, id, driver.Starting)
	if s := f.status(t, id); s != StatusStarting {
		t.Fatalf("while the driver boots it: %s, want Starting", s)
	}
	f.clock.Advance(delay)
	f.waitStatus(t, id, StatusRunning)

	if err := f.svc.Stop(t.Context(), lfCaller(), StopInput{InstanceID: id}); err != nil {
		t.Fatal(err)
	}
	f.waitDriver(t, f.sim, id, driver.Stopping)
	f.clock.Advance(delay / 2)
	if s := f.status(t, id); s != StatusStopping {
		t.Fatalf("halfway through the shutdown: %s, want Stopping", s)
	}
	f.clock.Advance(delay / 2)
	f.waitStatus(t, id, StatusStopped)

	if err := f.svc.Start(t.Context(), lfCaller(), id, false); err != nil {
		t.Fatal(err)
	}
	f.waitDriver(t, f.sim, id, driver.Starting)
	f.clock.Advance(delay)
	f.waitStatus(t, id, StatusRunning)

	if err := f.svc.Reboot(t.Context(), lfCaller(), id, false, false); err != nil {
		t.Fatal(err)
	}
	f.waitDriver(t, f.sim, id, driver.Starting)
	if s := f.status(t, id); s != StatusStarting {
		t.Fatalf("while the driver reboots it: %s, want Starting", s)
	}
	f.clock.Advance(delay)
	f.waitStatus(t, id, StatusRunning)
}

// countDriver counts the instances the driver reports in state.
func (f *launchFixture) countDriver(t *testing.T, drv driver.Compute, ids []string, state driver.PowerState) int {
	t.Helper()
	n := 0
	for _, id := range ids {
		if f.driverState(t, drv, id) == state {
			n++
		}
	}
	return n
}

func TestAnInstanceWhoseHypervisorDiesIsStopped(t *testing.T) {
	f := newLaunchFixtureWith(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, CrashAfter: sim.Duration(time.Minute)}}})
	id := f.running(t, nil)
	f.clock.Advance(2 * time.Minute) // crashed a minute ago; the health check is due
	f.settle(t)
	in := f.get(t, id)
	if in.Status != StatusStopped || in.NextStatus != "" {
		t.Fatalf("after the crash: %s/%s, want Stopped", in.Status, in.NextStatus)
	}
	h, _ := decodeHandle(in.DriverHandle)
	if state, _ := f.sim.Inspect(t.Context(), h); state != driver.Stopped {
		t.Fatalf("driver reports %s, want the crashed instance cleaned up", state)
	}
	if err := f.svc.Start(t.Context(), lfCaller(), id, false); err != nil {
		t.Fatal(err)
	}
	f.settle(t)
	if s := f.status(t, id); s != StatusRunning {
		t.Fatalf("StartInstance after the crash: %s", s)
	}
}

func TestAFailedDriverCallIsRetriedAfterABackoff(t *testing.T) {
	f := newLaunchFixtureWith(t, sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, Times: 1, Kind: sim.KindTransient}}})
	id := f.launch(t, runInput(nil))[0]
	f.settle(t)
	in := f.get(t, id)
	if in.Status != StatusStarting || !in.NextStatusAt.After(f.clock.Now()) {
		t.Fatalf("after a transient failure: %s, next at %v (now %v)", in.Status, in.NextStatusAt, f.clock.Now())
	}
	f.clock.Advance(time.Second)
	f.settle(t)
	if s := f.status(t, id); s != StatusRunning {
		t.Fatalf("after the retry: %s, want Running", s)
	}
}

func TestARestartedReconcilerFinishesInterruptedTransitionsWithoutDuplicates(t *testing.T) {
	// The first ecsd boots slowly and "crashes" (its context ends) when the
	// first instance is Running, the second Starting (its driver handle says
	// Stopped) and the third still Pending (no handle yet).
	f := newLaunchFixtureWith(t, sim.Config{Delays: sim.Delays{Boot: sim.Duration(time.Hour)}})
	ids := f.launch(t, runInput(func(in *RunInput) { in.Amount = intp(3) }))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.svc.Settle(ctx) }()
	waitFor(t, "the first boot", func() bool { return f.countDriver(t, f.sim, ids, driver.Starting) == 1 })
	f.clock.Advance(time.Hour)
	waitFor(t, "the second boot", func() bool {
		return f.countDriver(t, f.sim, ids, driver.Running) == 1 && f.countDriver(t, f.sim, ids, driver.Starting) == 1
	})
	cancel()
	<-done
	var statuses []string
	for _, id := range ids {
		statuses = append(statuses, f.status(t, id))
	}
	slices.Sort(statuses)
	if want := []string{StatusPending, StatusRunning, StatusStarting}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses when the first ecsd ends: %v, want %v", statuses, want)
	}

	// The second ecsd: a new driver (nothing in memory) and a new service on
	// the same store.
	drv, err := sim.New(sim.Config{}, f.clock)
	if err != nil {
		t.Fatal(err)
	}
	deps := f.deps
	deps.Compute = drv
	f.runReconciler(t, New(deps))
	for _, id := range ids {
		f.waitStatus(t, id, StatusRunning)
		f.waitDriver(t, drv, id, driver.Running)
	}
	f.update(t, func(tx store.Tx) error {
		n, err := tx.CountInstances(1, "cn-hangzhou")
		if n != 3 {
			t.Errorf("%d instances after the restart, want 3", n)
		}
		return err
	})
}
