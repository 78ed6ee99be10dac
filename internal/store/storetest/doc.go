// Package storetest is the conformance suite every store.Store
// implementation runs. The SQLite and PostgreSQL stores pass the same
// tests, so code above the store may rely on one behaviour: the error kinds,
// idempotent issuance, version allocation, transaction rollback and
// behaviour under concurrent writers.
//
// An implementation's test calls Run with a function that returns a fresh,
// migrated, empty store (and registers its cleanup with t.Cleanup), and
// Bench likewise for the benchmarks.
package storetest
