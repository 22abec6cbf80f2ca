package sign

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"time"
)

// NonceCache remembers (AccessKeyId, nonce) pairs for a fixed window so that
// a replayed request is refused, using bounded memory.
//
// Memory: each remembered pair costs a fixed-size entry (a 16-byte digest of
// the pair plus its expiry, stored once in a map and once in a FIFO ring;
// about 80 bytes in all, measured), whatever the length of the strings, and
// the cache never holds more than maxEntries pairs.
//
// Trade-off when full: once maxEntries unexpired pairs are held, Use forgets
// the oldest pair to make room (it does not refuse the new request). The
// forgotten request could then be replayed for the rest of its window, if it
// also passes the timestamp check. Refusing new nonces instead would let one
// flood of requests deny service to every client. Size maxEntries above the
// peak request rate × window (for example 1 000 req/s × 30 min = 1.8 M
// entries, about 145 MB) so that eviction only happens under abuse.
//
// A NonceCache is safe for concurrent use. Time is passed in by the caller.
type NonceCache struct {
	window time.Duration
	max    int

	mu    sync.Mutex
	seen  map[nonceKey]int64 // pair digest → expiry (Unix nanoseconds)
	queue nonceRing          // the same pairs in insertion order
}

// nonceKey is a collision-resistant digest of an (AccessKeyId, nonce) pair.
type nonceKey [16]byte

// nonceEntry is one remembered pair in insertion order.
type nonceEntry struct {
	key     nonceKey
	expires int64
}

// NewNonceCache returns a cache that remembers each pair for window (use at
// least twice the accepted clock skew, e.g. 2 × 15 min) and never holds more
// than maxEntries pairs. It panics if window or maxEntries is not positive.
func NewNonceCache(window time.Duration, maxEntries int) *NonceCache {
	if window <= 0 || maxEntries <= 0 {
		panic(fmt.Sprintf("sign: NewNonceCache(%v, %d): window and maxEntries must be positive", window, maxEntries))
	}
	return &NonceCache{
		window: window,
		max:    maxEntries,
		seen:   make(map[nonceKey]int64),
		queue:  nonceRing{limit: maxEntries},
	}
}

// keyOf digests an (AccessKeyId, nonce) pair; the length prefix keeps
// ("ab", "c") and ("a", "bc") apart.
func keyOf(accessKeyID, nonce string) nonceKey {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(accessKeyID)))
	h.Write(n[:])
	h.Write([]byte(accessKeyID))
	h.Write([]byte(nonce))
	var k nonceKey
	copy(k[:], h.Sum(nil))
	return k
}

// addSaturating returns a+b clamped to the int64 range (b > 0).
func addSaturating(a int64, b time.Duration) int64 {
	if a > math.MaxInt64-int64(b) {
		return math.MaxInt64
	}
	return a + int64(b)
}

// Use records that accessKeyID used nonce at now and reports whether the pair
// is fresh: false when the same pair was already used less than window
// before now. Expired pairs are evicted as a side effect.
func (c *NonceCache) Use(accessKeyID, nonce string, now time.Time) (fresh bool) {
	k := keyOf(accessKeyID, nonce)
	t := now.UnixNano()
	expires := addSaturating(t, c.window)

	c.mu.Lock()
	defer c.mu.Unlock()
	c.evictExpired(t)
	if exp, ok := c.seen[k]; ok && t < exp {
		return false
	}
	for c.queue.len() >= c.max {
		c.dropOldest()
	}
	c.queue.push(nonceEntry{key: k, expires: expires})
	c.seen[k] = expires
	return true
}

// Len returns the number of pairs currently remembered (expired ones not yet
// evicted included).
func (c *NonceCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.seen)
}

// evictExpired drops pairs from the front of the queue that expired at or
// before t. Callers hold c.mu.
func (c *NonceCache) evictExpired(t int64) {
	for c.queue.len() > 0 && c.queue.front().expires <= t {
		c.dropOldest()
	}
}

// dropOldest removes the oldest queue entry, and its map entry unless the
// pair was used again later (then the map holds the later expiry). Callers
// hold c.mu.
func (c *NonceCache) dropOldest() {
	e := c.queue.pop()
	if c.seen[e.key] == e.expires {
		delete(c.seen, e.key)
	}
}

// nonceRing is a FIFO of nonceEntry backed by a ring buffer that grows by
// doubling up to limit entries.
type nonceRing struct {
	buf   []nonceEntry
	head  int // index of the oldest entry
	n     int // number of entries
	limit int
}

// len returns the number of entries.
func (r *nonceRing) len() int { return r.n }

// front returns the oldest entry; the ring must not be empty.
func (r *nonceRing) front() nonceEntry { return r.buf[r.head] }

// pop removes and returns the oldest entry; the ring must not be empty.
func (r *nonceRing) pop() nonceEntry {
	e := r.buf[r.head]
	r.buf[r.head] = nonceEntry{}
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return e
}

// push appends e; the ring must hold fewer than limit entries.
func (r *nonceRing) push(e nonceEntry) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.n)%len(r.buf)] = e
	r.n++
}

// grow doubles the buffer (at least 16, at most limit entries), keeping
// order.
func (r *nonceRing) grow() {
	size := min(max(2*len(r.buf), 16), r.limit)
	buf := make([]nonceEntry, size)
	for i := 0; i < r.n; i++ {
		buf[i] = r.buf[(r.head+i)%len(r.buf)]
	}
	r.buf = buf
	r.head = 0
}
