package sim_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ecsd/ecsd/internal/driver/sim"
)

// TestParseConfig_example keeps the example in docs/drivers.md (copied in testdata)
// valid.
func TestParseConfig_example(t *testing.T) {
	data, err := os.ReadFile("testdata/config.example.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := sim.ParseConfig(data)
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	if cfg.Delays.Boot.Std() != 8*time.Second || cfg.Delays.ForceStop.Std() != 500*time.Millisecond || cfg.StopTimeout.Std() != 2*time.Minute {
		t.Errorf("delays = %+v, stopTimeout %s", cfg.Delays, cfg.StopTimeout)
	}
	if len(cfg.Faults) != 5 || cfg.Faults[2].CrashAfter.Std() != 5*time.Minute || cfg.Faults[4].Delay.Std() != 3*time.Minute {
		t.Errorf("faults = %+v", cfg.Faults)
	}
	if _, err := sim.New(cfg, nil); err != nil {
		t.Errorf("New: %v", err)
	}
}

func TestConfig_roundTripsThroughJSON(t *testing.T) {
	zero := sim.Duration(0)
	cfg := sim.Config{
		Delays:      sim.Uniform(1500 * time.Millisecond),
		StopTimeout: secs(30),
		Faults:      []sim.Fault{{Op: sim.OpReboot, InstanceID: "i-1", Skip: 1, Times: 2, Kind: sim.KindTimeout, Delay: &zero}},
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"boot":"1.5s"`) {
		t.Errorf("durations are not written as strings: %s", b)
	}
	back, err := sim.ParseConfig(b)
	if err != nil {
		t.Fatalf("ParseConfig(%s): %v", b, err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("round trip changed the config:\n%s\n%s", b, b2)
	}
}

func TestConfig_zeroIsValidAndInstant(t *testing.T) {
	cfg, err := sim.ParseConfig([]byte(`{}`))
	if err != nil || cfg.Delays != (sim.Delays{}) || len(cfg.Faults) != 0 {
		t.Fatalf("ParseConfig({}) = %+v, %v", cfg, err)
	}
}

func TestParseConfig_refusesUnknownFields(t *testing.T) {
	_, err := sim.ParseConfig([]byte(`{"delays":{"bootTime":"2s"}}`))
	if err == nil || !strings.Contains(err.Error(), "bootTime") {
		t.Fatalf("ParseConfig with a typo: %v", err)
	}
}

func TestParseConfig_refusesBadDurations(t *testing.T) {
	for _, in := range []string{`{"delays":{"boot":"2 seconds"}}`, `{"delays":{"boot":2}}`} {
		if _, err := sim.ParseConfig([]byte(in)); err == nil {
			t.Errorf("ParseConfig(%s) succeeded", in)
		}
	}
}

func TestConfig_validateReportsEveryProblem(t *testing.T) {
	cfg := sim.Config{
		Delays: sim.Delays{Boot: -secs(1)},
		Faults: []sim.Fault{
			{Op: "Launch", Error: "x"},
			{Op: sim.OpStart},
			{Op: sim.OpStart, Error: "x", Hang: true},
			{Op: sim.OpStop, CrashAfter: secs(1)},
			{Op: sim.OpStart, Kind: "fatal"},
			{Op: sim.OpStart, Times: -1, Error: "x"},
		},
	}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate accepted a bad config")
	}
	for _, want := range []string{
		"delays.boot: negative duration",
		`faults[0]: unknown op "Launch"`,
		"faults[1]: no effect",
		"faults[2]: error, hang and crashAfter exclude each other",
		`faults[3]: crashAfter applies to Start, Reboot and Recover, not "Stop"`,
		`faults[4]: unknown kind "fatal"`,
		"faults[5]: negative skip or times",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q:\n%v", want, err)
		}
	}
	if _, err := sim.New(cfg, nil); err == nil {
		t.Error("New accepted a bad config")
	}
}

func TestUniform_setsEveryDelay(t *testing.T) {
	d := sim.Uniform(2 * time.Second)
	for _, v := range []sim.Duration{d.Create, d.Boot, d.Stop, d.ForceStop, d.Reboot, d.Delete, d.Attach, d.Resize} {
		if v.Std() != 2*time.Second {
			t.Fatalf("Uniform(2s) = %+v", d)
		}
	}
}
