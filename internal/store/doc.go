// Package store defines the persistence boundary of microcred: the Store
// interface, the record types it reads and writes, and the typed errors every
// implementation returns.
//
// Two implementations exist. internal/store/sqlite is the default, an
// embedded pure-Go SQLite database in WAL mode for single-node installs.
// internal/store/postgres serves several stateless application nodes behind a
// load balancer. Both register themselves with Register from an init
// function, so a program that calls Open imports them for their side effect:
//
//	import (
//		_ "github.com/microcred/microcred/internal/store/postgres"
//		_ "github.com/microcred/microcred/internal/store/sqlite"
//	)
//
// Everything that must be unique or ordered across nodes (achievement version
// numbers, audit sequence numbers, idempotent issuance) is decided inside the
// database, in transactions, never in process memory; that is what makes the
// PostgreSQL deployment safe with any number of nodes.
//
// Both implementations run the same conformance suite, internal/store/storetest,
// so callers can rely on identical behaviour: unique violations surface as
// ErrConflict, missing rows as ErrNotFound, invalid input as ErrInvalid, times
// round-trip in UTC at microsecond precision, and JSON documents round-trip as
// equivalent (not byte-identical) JSON. Secured credential documents are
// stored as opaque text and round-trip byte for byte, because their proofs
// depend on it.
package store
