package sim_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/clock"
	"github.com/ecsd/ecsd/internal/driver"
	"github.com/ecsd/ecsd/internal/driver/sim"
)

// restart returns a new sim driver on the same clock: what ecsd is after a restart.
func restart(t *testing.T, clk clock.Waiter, cfg sim.Config) *sim.Driver {
	t.Helper()
	d, err := sim.New(cfg, clk)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRecover_keepsWhatTheHandleRecorded(t *testing.T) {
	d, clk := newSim(t, sim.Config{})
	h := start(t, d, create(t, d, "i-1"))
	var err error
	if h, err = d.AttachDisk(t.Context(), h, diskAt("d-1", "/dev/xvdb")); err != nil {
		t.Fatal(err)
	}
	if h, err = d.AttachNIC(t.Context(), h, nicWith("eni-2", "00:16:3e:00:00:02")); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)

	d2 := restart(t, clk, sim.Config{})
	h2, err := d2.Recover(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, d2, h2, driver.Running)
	var st struct {
		Spec  driver.InstanceSpec
		Power driver.PowerState
		Since time.Time
	}
	if err := json.Unmarshal(h2.State, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Spec.DataDisks) != 1 || len(st.Spec.NICs) != 2 || !st.Since.Equal(epoch()) || st.Power != driver.Running {
		t.Fatalf("recovered state %+v; want the disk, both NICs, running since %v", st, epoch())
	}
	out, _ := d2.ConsoleOutput(t.Context(), h2)
	if !strings.Contains(string(out), "recovered by a restarted ecsd (Running since 2026-03-01T09:00:00Z)") {
		t.Errorf("console after Recover:\n%s", out)
	}
}

func TestRecover_pendingCrashSurvivesARestart(t *testing.T) {
	cfg := sim.Config{Faults: []sim.Fault{{Op: sim.OpStart, CrashAfter: secs(60)}}}
	d, clk := newSim(t, cfg)
	h := start(t, d, create(t, d, "i-1"))
	clk.Advance(30 * time.Second)
	d2 := restart(t, clk, sim.Config{})
	h2, err := d2.Recover(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	wantState(t, d2, h2, driver.Running)
	clk.Advance(30 * time.Second)
	wantState(t, d2, h2, driver.Crashed)
}

func TestRecover_crashAfterFault(t *testing.T) {
	d, clk := newSim(t, sim.Config{})
	h := start(t, d, create(t, d, "i-1"))
	d2 := restart(t, clk, sim.Config{Faults: []sim.Fault{{Op: sim.OpRecover, CrashAfter: secs(5)}}})
	h2, err := d2.Recover(t.Context(), h)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second)
	wantState(t, d2, h2, driver.Crashed)
}

func TestRecover_faultMakesTheInstanceVanish(t *testing.T) {
	d, clk := newSim(t, sim.Config{})
	h := start(t, d, create(t, d, "i-1"))
	d2 := restart(t, clk, sim.Config{Faults: []sim.Fault{{Op: sim.OpRecover, Kind: sim.KindNotFound, Error: "host lost the VM"}}})
	_, err := d2.Recover(t.Context(), h)
	wantErr(t, "Recover", err, driver.ErrNotFound)
	wantState(t, d2, h, driver.Missing)
}

func TestHandle_malformedStateIsInvalidArgument(t *testing.T) {
	d, _ := newSim(t, sim.Config{})
	for name, state := range map[string]string{
		"not JSON":          `{`,
		"no instance ID":    `{"spec":{},"power":"Running"}`,
		"a transient state": `{"spec":{"instanceId":"i-1"},"power":"Starting"}`,
	} {
		h := driver.Handle{Driver: sim.Name, Version: 1, State: []byte(state)}
		_, err := d.Recover(t.Context(), h)
		wantErr(t, "Recover of a handle with "+name, err, driver.ErrInvalidArgument)
	}
}

func TestHandle_neverCarriesThePassword(t *testing.T) {
	d, _ := newSim(t, sim.Config{})
	spec := specOf("i-1")
	spec.Password = "Secr3t!Secr3t!"
	h, err := d.Create(t.Context(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(h.State), spec.Password) {
		t.Fatalf("handle state carries the password: %s", h.State)
	}
}
