package policy

import "sync"

// Cache remembers parsed policy documents by their text, so a document that
// applies to many calls is parsed once. Malformed documents are remembered
// too. It holds at most its capacity of documents: when full, it starts over
// (documents are small and re-parsing is cheap; a bounded cache keeps memory
// bounded whatever documents callers send). Safe for concurrent use.
type Cache struct {
	mu       sync.RWMutex
	capacity int
	entries  map[string]cacheEntry
}

type cacheEntry struct {
	policy *Policy
	err    error
}

// NewCache returns a cache of permission policies holding up to capacity documents.
func NewCache(capacity int) *Cache {
	if capacity < 1 {
		capacity = 1
	}
	return &Cache{capacity: capacity, entries: make(map[string]cacheEntry)}
}

// Parse returns the parsed form of doc, parsing it on first sight (see Parse).
func (c *Cache) Parse(doc string) (*Policy, error) {
	c.mu.RLock()
	e, ok := c.entries[doc]
	c.mu.RUnlock()
	if ok {
		return e.policy, e.err
	}
	p, err := Parse(doc)
	c.mu.Lock()
	if len(c.entries) >= c.capacity {
		clear(c.entries)
	}
	c.entries[doc] = cacheEntry{policy: p, err: err}
	c.mu.Unlock()
	return p, err
}

// Len returns the number of documents held.
func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}
