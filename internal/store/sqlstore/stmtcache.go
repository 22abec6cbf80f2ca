package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// stmtCache keeps one prepared statement per query text for a pool, so that hot
// queries are parsed once per connection instead of once per call (database/sql
// re-prepares a cached *sql.Stmt lazily on each connection that runs it).
//
// Statements are never prepared from inside a transaction: preparing on the pool
// needs a free connection, and SQLite's writer pool has exactly one, held by the
// transaction. A transaction runs a query it finds uncached directly and notes it;
// the query is prepared once the transaction has given its connection back.
type stmtCache struct {
	pool  *sql.DB
	stmts sync.Map // query → *sql.Stmt
	// size counts the cached statements; past maxCachedStatements new queries
	// (such as IN lists of unusual lengths) run unprepared instead of growing
	// the cache without bound.
	size atomic.Int64
}

// maxCachedStatements bounds a pool's statement cache.
const maxCachedStatements = 512

func newStmtCache(pool *sql.DB) *stmtCache { return &stmtCache{pool: pool} }

// lookup returns the cached statement for query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	return nil
}

// prepareAll prepares the queries that are not cached yet. It must be called
// outside any transaction of the pool. A query that fails to prepare is left
// uncached; it keeps running unprepared and reports its error there.
func (c *stmtCache) prepareAll(ctx context.Context, queries []string) {
	for _, q := range queries {
		if c.lookup(q) != nil || c.size.Load() >= maxCachedStatements {
			continue
		}
		st, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		if _, loaded := c.stmts.LoadOrStore(q, st); loaded {
			_ = st.Close()
			continue
		}
		c.size.Add(1)
	}
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.stmts.Range(func(_, v any) bool {
		_ = v.(*sql.Stmt).Close()
		return true
	})
}
