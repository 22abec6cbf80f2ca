package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ecsd/ecsd/internal/driver"
)

// DefaultStopTimeout is how long a graceful Stop or Reboot waits for the simulated
// guest when neither the call nor Config.StopTimeout says.
const DefaultStopTimeout = time.Minute

// Config is the sim driver's behaviour as data: how long each operation takes and
// which calls fail, hang or crash. The zero Config is valid: every operation is
// instant and nothing fails. Load one from JSON with ParseConfig; the yaml tags let
// a YAML loader (gopkg.in/yaml.v3, KnownFields on) decode the same shape.
type Config struct {
	// Delays are how long each operation takes.
	Delays Delays `json:"delays,omitzero" yaml:"delays,omitempty"`
	// StopTimeout is the default graceful stop/reboot timeout, used when the call's
	// own Timeout is zero; zero means DefaultStopTimeout.
	StopTimeout Duration `json:"stopTimeout,omitzero" yaml:"stopTimeout,omitempty"`
	// Faults are the injected failures, tried in order; the first rule that matches
	// a call and still has firings left applies to it.
	Faults []Fault `json:"faults,omitempty" yaml:"faults,omitempty"`
}

// Delays are how long each operation takes. Start, Stop and Reboot are timeline
// transitions: Inspect reports Starting or Stopping for that long, and the call
// blocks until it ends. Create, Delete, Attach and Resize are plain waits inside the
// call, after which the change happens at once.
type Delays struct {
	// Create is how long Create takes (the control plane shows Pending meanwhile).
	Create Duration `json:"create,omitzero" yaml:"create,omitempty"`
	// Boot is how long Start reports Starting before Running.
	Boot Duration `json:"boot,omitzero" yaml:"boot,omitempty"`
	// Stop is how long a graceful Stop reports Stopping before Stopped.
	Stop Duration `json:"stop,omitzero" yaml:"stop,omitempty"`
	// ForceStop is how long a forced Stop reports Stopping before Stopped.
	ForceStop Duration `json:"forceStop,omitzero" yaml:"forceStop,omitempty"`
	// Reboot is how long Reboot reports Starting before Running again.
	Reboot Duration `json:"reboot,omitzero" yaml:"reboot,omitempty"`
	// Delete is how long Delete takes before the instance is gone.
	Delete Duration `json:"delete,omitzero" yaml:"delete,omitempty"`
	// Attach is how long attaching or detaching a disk or NIC takes.
	Attach Duration `json:"attach,omitzero" yaml:"attach,omitempty"`
	// Resize is how long Resize takes.
	Resize Duration `json:"resize,omitzero" yaml:"resize,omitempty"`
}

// Uniform returns Delays where every operation takes d: what `ecsd serve
// --sim-delay` configures.
func Uniform(d time.Duration) Delays {
	v := Duration(d)
	return Delays{Create: v, Boot: v, Stop: v, ForceStop: v, Reboot: v, Delete: v, Attach: v, Resize: v}
}

// Op names a driver call that a Fault can match.
type Op string

// The operations a Fault can match. OpAny matches every one.
const (
	OpAny        Op = "*"
	OpCreate     Op = "Create"
	OpStart      Op = "Start"
	OpStop       Op = "Stop"
	OpReboot     Op = "Reboot"
	OpDelete     Op = "Delete"
	OpInspect    Op = "Inspect"
	OpRecover    Op = "Recover"
	OpAttachDisk Op = "AttachDisk"
	OpDetachDisk Op = "DetachDisk"
	OpAttachNIC  Op = "AttachNIC"
	OpDetachNIC  Op = "DetachNIC"
	OpResize     Op = "Resize"
	OpConsole    Op = "ConsoleOutput"
)

func (o Op) valid() bool {
	switch o {
	case OpAny, OpCreate, OpStart, OpStop, OpReboot, OpDelete, OpInspect, OpRecover,
		OpAttachDisk, OpDetachDisk, OpAttachNIC, OpDetachNIC, OpResize, OpConsole:
		return true
	}
	return false
}

// ErrorKind selects the driver sentinel an injected error wraps.
type ErrorKind string

// The error kinds. The empty kind is KindTransient.
const (
	KindTransient       ErrorKind = "transient"       // driver.ErrTransient
	KindNotFound        ErrorKind = "notFound"        // driver.ErrNotFound
	KindInvalidState    ErrorKind = "invalidState"    // driver.ErrInvalidState
	KindInvalidArgument ErrorKind = "invalidArgument" // driver.ErrInvalidArgument
	KindUnsupported     ErrorKind = "unsupported"     // driver.ErrUnsupported
	KindTimeout         ErrorKind = "timeout"         // driver.ErrTimeout
	KindPermanent       ErrorKind = "permanent"       // no sentinel: an unexpected failure
)

// sentinel returns the driver error k wraps, nil for KindPermanent, and false for
// an unknown kind.
func (k ErrorKind) sentinel() (error, bool) {
	switch k {
	case "", KindTransient:
		return driver.ErrTransient, true
	case KindNotFound:
		return driver.ErrNotFound, true
	case KindInvalidState:
		return driver.ErrInvalidState, true
	case KindInvalidArgument:
		return driver.ErrInvalidArgument, true
	case KindUnsupported:
		return driver.ErrUnsupported, true
	case KindTimeout:
		return driver.ErrTimeout, true
	case KindPermanent:
		return nil, true
	}
	return nil, false
}

// Fault is one fault-injection rule. It matches calls of Op on InstanceID; of the
// matching calls it lets the first Skip through and then fires on the next Times
// (every one when Times is 0). A call only consumes a rule when it has work to do:
// Start of a Running instance or Delete of a missing one matches nothing.
//
// What firing does is given by the effect fields; a rule has at least one:
//
//   - Error/Kind: the call fails with this message, wrapping Kind's sentinel. A
//     timeline operation (Start, Stop, Reboot) fails at the end of its delay and
//     the instance returns to its previous state, so the control plane sees
//     Starting and then the failure; other calls fail after their delay, unchanged.
//   - Hang: the operation never completes by itself. A Start stays Starting until a
//     forced Stop or Delete; a graceful Stop or Reboot waits out its timeout and
//     fails with driver.ErrTimeout, leaving the instance Running ("stop hangs until
//     forced"); any other call blocks until its context ends. Hang rules never
//     match forced Stop or Reboot calls.
//   - CrashAfter (Start, Reboot, Recover): the instance crashes this long after it
//     is Running, and Inspect reports Crashed from then on.
//   - Delay: the call takes this long instead of the configured delay.
type Fault struct {
	// Op is the call the rule matches; OpAny matches every call.
	Op Op `json:"op" yaml:"op"`
	// InstanceID is the instance the rule matches; empty or "*" matches every one.
	InstanceID string `json:"instanceId,omitempty" yaml:"instanceId,omitempty"`
	// Skip is how many matching calls pass before the rule fires.
	Skip int `json:"skip,omitempty" yaml:"skip,omitempty"`
	// Times is how many matching calls the rule fires on; 0 means every one.
	Times int `json:"times,omitempty" yaml:"times,omitempty"`
	// Error makes the call fail with this message.
	Error string `json:"error,omitempty" yaml:"error,omitempty"`
	// Kind is the sentinel the error wraps (default transient); setting it alone
	// also makes the call fail, with a generic message.
	Kind ErrorKind `json:"kind,omitempty" yaml:"kind,omitempty"`
	// Hang makes the operation never complete by itself.
	Hang bool `json:"hang,omitempty" yaml:"hang,omitempty"`
	// CrashAfter makes the instance crash this long after it is Running.
	CrashAfter Duration `json:"crashAfter,omitzero" yaml:"crashAfter,omitempty"`
	// Delay, when set, replaces the configured delay of the call (0s: instant).
	Delay *Duration `json:"delay,omitempty" yaml:"delay,omitempty"`
}

// fails reports whether f makes the call fail.
func (f Fault) fails() bool { return f.Error != "" || f.Kind != "" }

// Validate returns every problem in c, joined: negative delays, unknown ops or
// error kinds, negative counters, rules with no effect or with conflicting ones.
func (c Config) Validate() error {
	var errs []error
	durations := []struct {
		name string
		d    Duration
	}{
		{"delays.create", c.Delays.Create}, {"delays.boot", c.Delays.Boot}, {"delays.stop", c.Delays.Stop},
		{"delays.forceStop", c.Delays.ForceStop}, {"delays.reboot", c.Delays.Reboot},
		{"delays.delete", c.Delays.Delete}, {"delays.attach", c.Delays.Attach},
		{"delays.resize", c.Delays.Resize}, {"stopTimeout", c.StopTimeout},
	}
	for _, x := range durations {
		if x.d < 0 {
			errs = append(errs, fmt.Errorf("%s: negative duration %s", x.name, x.d))
		}
	}
	for i, f := range c.Faults {
		if err := f.validate(); err != nil {
			errs = append(errs, fmt.Errorf("faults[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

func (f Fault) validate() error {
	var errs []error
	if !f.Op.valid() {
		errs = append(errs, fmt.Errorf("unknown op %q", f.Op))
	}
	if _, ok := f.Kind.sentinel(); !ok {
		errs = append(errs, fmt.Errorf("unknown kind %q", f.Kind))
	}
	if f.Skip < 0 || f.Times < 0 {
		errs = append(errs, fmt.Errorf("negative skip or times"))
	}
	if f.CrashAfter < 0 || (f.Delay != nil && *f.Delay < 0) {
		errs = append(errs, fmt.Errorf("negative crashAfter or delay"))
	}
	effects := 0
	for _, set := range []bool{f.fails(), f.Hang, f.CrashAfter > 0} {
		if set {
			effects++
		}
	}
	switch {
	case effects > 1:
		errs = append(errs, fmt.Errorf("error, hang and crashAfter exclude each other"))
	case effects == 0 && f.Delay == nil:
		errs = append(errs, fmt.Errorf("no effect: set error, kind, hang, crashAfter or delay"))
	}
	if f.CrashAfter > 0 && f.Op != OpStart && f.Op != OpReboot && f.Op != OpRecover {
		errs = append(errs, fmt.Errorf("crashAfter applies to Start, Reboot and Recover, not %q", f.Op))
	}
	return errors.Join(errs...)
}

// ParseConfig decodes a JSON Config, refusing unknown fields, and validates it.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("sim config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("sim config: %w", err)
	}
	return c, nil
}

// Duration is a time.Duration written as a Go duration string ("2s", "1m30s",
// "250ms") in JSON and YAML.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String returns d in time.Duration's notation.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d as a duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a duration string such as "2s".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: want a Go duration such as 2s or 1m30s", b)
	}
	*d = Duration(v)
	return nil
}
