package sign

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// epoch is the start time of the nonce scenarios.
func epoch() time.Time { return time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC) }

// nonceStep is one call of a scripted NonceCache scenario.
type nonceStep struct {
	ak, nonce string
	at        time.Duration // offset from epoch()
	fresh     bool
}

func TestNonceCacheScenarios(t *testing.T) {
	const w = 30 * time.Minute
	tests := []struct {
		name  string
		max   int
		steps []nonceStep
	}{
		{"replay refused", 10, []nonceStep{
			{"ak", "n1", 0, true},
			{"ak", "n1", time.Second, false},
			{"ak", "n1", w - time.Nanosecond, false},
		}},
		{"fresh again once the window has passed", 10, []nonceStep{
			{"ak", "n1", 0, true},
			{"ak", "n1", w, true},
			{"ak", "n1", w + time.Minute, false},
			{"ak", "n1", 2*w + time.Minute, true},
		}},
		{"keyed by access key", 10, []nonceStep{
			{"ak1", "n", 0, true},
			{"ak2", "n", 0, true},
			{"ak1", "n", 0, false},
			{"ak2", "n", 0, false},
		}},
		{"pair encoding is unambiguous", 10, []nonceStep{
			{"ab", "c", 0, true},
			{"a", "bc", 0, true},
			{"", "abc", 0, true},
			{"abc", "", 0, true},
			{"", "", 0, true},
			{"", "", 0, false},
		}},
		{"full: oldest forgotten", 2, []nonceStep{
			{"ak", "n1", 0, true},
			{"ak", "n2", 1, true},
			{"ak", "n3", 2, true}, // evicts n1
			{"ak", "n1", 3, true}, // n1 forgotten (documented trade-off); evicts n2
			{"ak", "n3", 4, false},
			{"ak", "n1", 5, false},
		}},
		{"expired entries make room before eviction", 2, []nonceStep{
			{"ak", "n1", 0, true},
			{"ak", "n2", time.Minute, true},
			{"ak", "n3", w, true}, // n1 expired: n2 must survive
			{"ak", "n2", w + time.Second, false},
		}},
		{"clock going backwards", 10, []nonceStep{
			{"ak", "n1", time.Hour, true},
			{"ak", "n2", 0, true},
			{"ak", "n1", 0, false},
			{"ak", "n2", w - time.Second, false},
			{"ak", "n2", time.Hour, true}, // expired, though not at the queue front
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewNonceCache(w, tc.max)
			for i, s := range tc.steps {
				if got := c.Use(s.ak, s.nonce, epoch().Add(s.at)); got != s.fresh {
					t.Fatalf("step %d Use(%q, %q, +%v) = %v, want %v", i, s.ak, s.nonce, s.at, got, s.fresh)
				}
				if c.Len() > tc.max {
					t.Fatalf("step %d: %d entries, max %d", i, c.Len(), tc.max)
				}
			}
		})
	}
}

// checkBounds asserts the internal size invariants.
func checkBounds(t *testing.T, c *NonceCache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.seen) > c.queue.len() || c.queue.len() > c.max || len(c.queue.buf) > c.max {
		t.Fatalf("map %d, queue %d, buffer %d, max %d", len(c.seen), c.queue.len(), len(c.queue.buf), c.max)
	}
	for i := 0; i < c.queue.n; i++ {
		e := c.queue.buf[(c.queue.head+i)%len(c.queue.buf)]
		if exp, ok := c.seen[e.key]; ok && exp < e.expires {
			t.Fatalf("map expiry %d older than queued %d", exp, e.expires)
		}
	}
}

func TestNonceCacheNeverGrowsPastMax(t *testing.T) {
	const maxEntries = 100
	c := NewNonceCache(time.Hour, maxEntries)
	for i := 0; i < 50*maxEntries; i++ {
		// Mix new nonces, replays, re-use after expiry and odd timing.
		at := epoch().Add(time.Duration(i%700) * 10 * time.Second)
		c.Use("ak"+strconv.Itoa(i%3), strconv.Itoa(i%(3*maxEntries)), at)
		checkBounds(t, c)
	}
	if c.Len() == 0 || c.Len() > maxEntries {
		t.Fatalf("Len = %d", c.Len())
	}
}

func TestNonceCacheExpiresEverything(t *testing.T) {
	c := NewNonceCache(time.Minute, 1000)
	for i := 0; i < 500; i++ {
		c.Use("ak", strconv.Itoa(i), epoch())
	}
	c.Use("ak", "late", epoch().Add(time.Minute))
	if c.Len() != 1 {
		t.Fatalf("Len = %d after the window, want 1", c.Len())
	}
}

func TestNonceCacheLongStrings(t *testing.T) {
	c := NewNonceCache(time.Minute, 10)
	long := string(make([]byte, 1<<20))
	if !c.Use(long, long, epoch()) || c.Use(long, long, epoch()) {
		t.Fatal("long strings not handled as one pair")
	}
	if !c.Use(long, long+"x", epoch()) {
		t.Fatal("different long nonce seen as a replay")
	}
}

func TestNonceCacheConcurrent(t *testing.T) {
	c := NewNonceCache(time.Hour, 10_000)
	const workers, nonces = 8, 500
	var fresh atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < nonces; i++ {
				if c.Use("ak", fmt.Sprint(i), epoch().Add(time.Duration(i)*time.Millisecond)) {
					fresh.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if got := fresh.Load(); got != nonces {
		t.Fatalf("%d fresh uses, want exactly %d", got, nonces)
	}
}

func TestNewNonceCachePanics(t *testing.T) {
	for _, tc := range []struct {
		window     time.Duration
		maxEntries int
	}{{0, 1}, {-time.Second, 1}, {time.Second, 0}, {time.Second, -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewNonceCache(%v, %d) did not panic", tc.window, tc.maxEntries)
				}
			}()
			NewNonceCache(tc.window, tc.maxEntries)
		}()
	}
}

func TestNonceCacheExtremeTimes(t *testing.T) {
	c := NewNonceCache(time.Hour, 4)
	for _, at := range []time.Time{{}, time.Unix(1<<62, 0), time.Unix(-1<<62, 0), time.Unix(0, 1<<63-1)} {
		c.Use("ak", "n", at)
		c.Use("ak", at.String(), at)
		checkBounds(t, c)
	}
}

// Measures the memory cost per remembered pair, to back the figure in the
// NonceCache documentation.
func TestNonceCacheMemoryPerEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~60 MB")
	}
	const n = 500_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := NewNonceCache(time.Hour, n)
	for i := 0; i < n; i++ {
		c.Use("LTAI5tExampleAccessKey", fmt.Sprintf("%032x", i), epoch())
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perEntry := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.0f bytes per remembered pair", perEntry)
	if perEntry > 120 {
		t.Errorf("%.0f bytes per pair, documentation assumes under 120", perEntry)
	}
	runtime.KeepAlive(c)
}

func BenchmarkNonceCacheUse(b *testing.B) {
	c := NewNonceCache(30*time.Minute, 1<<20)
	i := 0
	for b.Loop() {
		c.Use("ak", strconv.Itoa(i), epoch().Add(time.Duration(i)*time.Microsecond))
		i++
	}
}
