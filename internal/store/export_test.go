package store

// PendingForTest returns how many calls wait for a batch.
func PendingForTest(b *Batcher) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}
