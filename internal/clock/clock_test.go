package clock

import (
	"sync"
	"testing"
	"time"
)

var (
	_ Waiter = Real{}
	_ Waiter = (*Fake)(nil)
)

func TestReal(t *testing.T) {
	before := time.Now()
	got := Real{}.Now()
	if got.Before(before) || got.After(time.Now()) {
		t.Fatalf("Real.Now() = %v, outside [%v, now]", got, before)
	}
	select {
	case <-Real{}.After(time.Millisecond):
	case <-time.After(5 * time.Second):
		t.Fatal("Real.After did not fire")
	}
}

func TestFakeSetAdvance(t *testing.T) {
	start := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	f := NewFake(start)
	if got := f.Now(); !got.Equal(start) {
		t.Fatalf("Now() = %v, want %v", got, start)
	}
	if got := f.Advance(90 * time.Second); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("Advance returned %v", got)
	}
	if got := f.Now(); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("Now() after Advance = %v", got)
	}
	f.Set(start)
	if got := f.Now(); !got.Equal(start) {
		t.Fatalf("Now() after Set = %v", got)
	}
	var zero Fake
	if !zero.Now().IsZero() {
		t.Fatalf("zero Fake Now() = %v, want zero time", zero.Now())
	}
}

func TestFakeAfter(t *testing.T) {
	start := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	f := NewFake(start)
	late, early := f.After(10*time.Second), f.After(5*time.Second)
	select {
	case <-f.After(0):
	default:
		t.Fatal("After(0) did not fire at once")
	}
	if n := f.Waiters(); n != 2 {
		t.Fatalf("Waiters() = %d, want 2", n)
	}
	f.Advance(4 * time.Second)
	select {
	case <-early:
		t.Fatal("fired before its deadline")
	default:
	}
	f.Advance(time.Second)
	if got := <-early; !got.Equal(start.Add(5 * time.Second)) {
		t.Fatalf("early fired with %v", got)
	}
	select {
	case <-late:
		t.Fatal("late fired early")
	default:
	}
	f.Set(start.Add(time.Hour))
	if got := <-late; !got.Equal(start.Add(time.Hour)) {
		t.Fatalf("late fired with %v", got)
	}
	if n := f.Waiters(); n != 0 {
		t.Fatalf("Waiters() = %d, want 0", n)
	}
}

func TestFakeConcurrent(t *testing.T) {
	f := NewFake(time.Unix(0, 0).UTC())
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 100 {
				f.Advance(time.Millisecond)
				_ = f.Now()
				_ = f.After(time.Millisecond)
			}
		})
	}
	wg.Wait()
	if got, want := f.Now(), time.Unix(1, 0).UTC(); !got.Equal(want) {
		t.Fatalf("Now() = %v, want %v", got, want)
	}
}
