// Package store is ecsd's persistent state: a relational schema with numbered
// migrations behind one transactional contract, implemented for SQLite (the embedded
// default) and PostgreSQL (multi-node). Service code sees only Store and Tx.
//
// The implementation lives in store/sqlstore; the contract suite that every
// implementation passes lives in store/storetest.
package store
