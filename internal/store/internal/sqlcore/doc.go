// Package sqlcore holds the SQL that the SQLite and PostgreSQL stores share.
//
// The two dialects agree on everything the store needs (INSERT ... ON
// CONFLICT DO NOTHING, RETURNING, savepoints, LIKE ... ESCAPE, LIMIT/OFFSET),
// so the queries are written once, with '?' placeholders, against a small
// Backend interface. Each backend supplies connections that rebind
// placeholders and convert time values for its driver, classifies its
// driver's errors, and owns its schema migrations. Keeping one copy of the
// queries is what makes the two stores behave identically; the shared
// conformance suite in internal/store/storetest checks that they do.
package sqlcore
