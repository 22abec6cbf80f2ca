package sim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/drivertest"
	"github.com/ecsd/ecsd/internal/driver/sim"
)

// hangGuard bounds every wait in these tests. It is not a timing assertion: a
// correct driver never gets near it, and a broken one fails instead of hanging.
const hangGuard = 10 * time.Second

func epoch() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }

func secs(n int) sim.Duration { return sim.Duration(time.Duration(n) * time.Second) }

// newSim returns a sim driver on a fake clock.
func newSim(t *testing.T, cfg sim.Config) (*sim.Driver, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(epoch())
	d, err := sim.New(cfg, clk)
	if err != nil {
		t.Fatalf("sim.New: %v", err)
	}
	return d, clk
}

func diskAt(id, device string) driver.DiskSpec { return drivertest.DefaultDataDisk(id, device) }

func nicWith(id, mac string) driver.NICSpec { return drivertest.DefaultNIC(id, mac) }

func specOf(id string) driver.InstanceSpec { return drivertest.DefaultSpec(id) }

// create creates instance id with no delay configured for it (the Create delay is 0
// in every test that uses this helper).
func create(t *testing.T, d *sim.Driver, id string) driver.Handle {
	t.Helper()
	h, err := d.Create(t.Context(), drivertest.DefaultSpec(id))
	if err != nil {
		t.Fatalf("Create %s: %v", id, err)
	}
	return h
}

func state(t *testing.T, d *sim.Driver, h driver.Handle) driver.PowerState {
	t.Helper()
	s, err := d.Inspect(t.Context(), h)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return s
}

func wantState(t *testing.T, d *sim.Driver, h driver.Handle, want driver.PowerState) {
	t.Helper()
	if got := state(t, d, h); got != want {
		t.Fatalf("Inspect = %s, want %s", got, want)
	}
}

// eventually waits until cond holds: for a goroutine to reach the point the test
// needs (a transition begun, a wait registered on the fake clock).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func eventuallyState(t *testing.T, d *sim.Driver, h driver.Handle, want driver.PowerState) {
	t.Helper()
	eventually(t, "state "+string(want), func() bool { return state(t, d, h) == want })
}

type result struct {
	h   driver.Handle
	err error
}

// async runs call in a goroutine.
func async(call func() (driver.Handle, error)) <-chan result {
	ch := make(chan result, 1)
	go func() {
		h, err := call()
		ch <- result{h, err}
	}()
	return ch
}

// await returns the result of an async call.
func await(t *testing.T, ch <-chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(hangGuard):
		t.Fatal("the call did not return")
		return result{}
	}
}

// notYet checks that an async call has not returned. It is deterministic: the call
// can only return once the fake clock passes its deadline.
func notYet(t *testing.T, ch <-chan result, what string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("%s returned early: %v", what, r.err)
	default:
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want one wrapping %v", what, err, target)
	}
}

func start(t *testing.T, d *sim.Driver, h driver.Handle) driver.Handle {
	t.Helper()
	h, err := d.Start(t.Context(), h)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return h
}

func startAsync(ctx context.Context, d *sim.Driver, h driver.Handle) <-chan result {
	return async(func() (driver.Handle, error) { return d.Start(ctx, h) })
}

func stopAsync(ctx context.Context, d *sim.Driver, h driver.Handle, opts driver.StopOptions) <-chan result {
	return async(func() (driver.Handle, error) { return d.Stop(ctx, h, opts) })
}
