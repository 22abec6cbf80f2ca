// Package storetest is the contract suite every store.Store implementation passes:
// one subtest per Tx method outcome (round trip, not found, conflict, status
// change) plus the transaction guarantees (rollback, bounded retry without loss of
// atomicity, concurrent writers, reads beside an open write, durability across
// Close and reopen). Implementations call Run and RunDurability from their tests.
package storetest
