package clock

import (
	"slices"
	"sync"
	"time"
)

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// Waiter is a Clock that can also wait for a duration to pass on that clock.
type Waiter interface {
	Clock
	// After returns a channel that receives the clock's time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// Real is the system clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Fake is a manually driven clock for tests. Its time changes only through Set and
// Advance; channels returned by After fire when the fake time reaches their
// deadline. The zero value starts at the zero time; Fake is safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewFake returns a Fake whose time is now.
func NewFake(now time.Time) *Fake { return &Fake{now: now} }

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Set moves the fake time to t (forwards or backwards) and fires due waiters.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
	f.fire()
}

// Advance moves the fake time forward by d, fires due waiters and returns the new time.
func (f *Fake) Advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.fire()
	return f.now
}

// After returns a channel that receives the fake time once it has advanced by d.
// A d of zero or less fires at once.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	f.waiters = append(f.waiters, waiter{at: f.now.Add(d), ch: ch})
	f.fire()
	return ch
}

// Waiters returns how many After channels have not fired yet, so a test can wait
// until the code under test is blocked on the clock before advancing it.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// fire sends the time to every waiter whose deadline has passed, earliest first.
// The caller holds f.mu; channels are buffered, so sends never block.
func (f *Fake) fire() {
	slices.SortStableFunc(f.waiters, func(a, b waiter) int { return a.at.Compare(b.at) })
	n := 0
	for _, w := range f.waiters {
		if w.at.After(f.now) {
			break
		}
		w.ch <- f.now
		n++
	}
	f.waiters = append(f.waiters[:0], f.waiters[n:]...)
}
