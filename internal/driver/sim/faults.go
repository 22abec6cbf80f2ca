package sim

import (
	"errors"
	"fmt"
	"time"
)

// faultSet is the fault rules with how many calls each has matched so far. The
// Driver's mutex guards it.
type faultSet struct {
	rules   []Fault
	matched []int
}

func newFaultSet(rules []Fault) faultSet {
	return faultSet{rules: append([]Fault(nil), rules...), matched: make([]int, len(rules))}
}

// fire returns the first rule that matches a call of op on id and has firings left,
// counting the match against every rule it passes through on the way (a rule still
// skipping counts the call and lets the next rules look at it). forced says the call
// is a forced Stop or Reboot, which Hang rules never match.
func (fs *faultSet) fire(op Op, id string, forced bool) (Fault, bool) {
	for i, r := range fs.rules {
		if r.Op != OpAny && r.Op != op || r.InstanceID != "" && r.InstanceID != "*" && r.InstanceID != id {
			continue
		}
		if r.Hang && forced {
			continue
		}
		n := fs.matched[i]
		if r.Times > 0 && n >= r.Skip+r.Times {
			continue
		}
		fs.matched[i]++
		if n < r.Skip {
			continue
		}
		return r, true
	}
	return Fault{}, false
}

// effect is what a call does once faults are applied to its configured delay.
type effect struct {
	delay      time.Duration
	hang       bool
	err        error
	crashAfter time.Duration
}

// effect resolves the call's effect: the configured delay, changed by the first
// fault rule that fires. The caller holds d.mu.
func (d *Driver) effect(op Op, id string, forced bool, delay Duration) effect {
	e := effect{delay: delay.Std()}
	f, ok := d.faults.fire(op, id, forced)
	if !ok {
		return e
	}
	if f.Delay != nil {
		e.delay = f.Delay.Std()
	}
	e.hang = f.Hang
	e.crashAfter = f.CrashAfter.Std()
	if f.fails() {
		e.err = f.err(op, id)
	}
	return e
}

// err is the error an injected failure returns: the rule's message, wrapping the
// sentinel of its kind.
func (f Fault) err(op Op, id string) error {
	msg := f.Error
	if msg == "" {
		msg = "injected fault"
	}
	sentinel, _ := f.Kind.sentinel()
	if sentinel == nil {
		return fmt.Errorf("sim: %s %s: %w", op, id, errors.New(msg))
	}
	return fmt.Errorf("sim: %s %s: %s: %w", op, id, msg, sentinel)
}
