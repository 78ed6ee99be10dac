// Package sqlite is the embedded SQLite implementation of store.Store, the
// default for single-node installs. It uses modernc.org/sqlite (pure Go, no
// cgo) in WAL mode.
//
// SQLite allows one writer at a time. Rather than let concurrent writers
// collide and retry on SQLITE_BUSY, the store keeps two pools on the same
// file: a write pool of exactly one connection, whose transactions begin
// IMMEDIATE, so writers queue in Go; and a read pool of several read-only
// connections, which WAL lets run alongside the writer. busy_timeout covers
// the remaining case of another process writing the same file.
//
// Importing the package registers the "sqlite" scheme with store.Open.
package sqlite
