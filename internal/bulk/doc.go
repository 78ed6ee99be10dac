// Package bulk issues credentials from a CSV file: one credential of one
// achievement per row, for university-scale awards (hundreds of thousands
// of learners) that must survive a crash at any moment.
//
// # The file
//
// A CSV file in UTF-8 (a byte order mark is skipped), with quoted fields
// and CRLF or LF line ends, and a header row. Header names map to fields by
// name — email, name, identifier, valid_from, valid_until, result,
// evidence_url, compared without regard to case, spaces or hyphens — or by
// explicit "column=field" mappings; columns that map to nothing are
// ignored. email and name are required. Dates are RFC 3339 timestamps or
// YYYY-MM-DD days; a valid_until day means the end of that day (UTC). The
// result becomes an OB 3.0 Result of the subject (tied to the achievement's
// first ResultDescription) and the identifier an unhashed IdentityObject
// of type "identifier" in credentialSubject.identifier.
//
// # Validation
//
// Before anything is issued the whole file is read once and every problem
// is reported with its line, its column and the reason: a bad email, a bad
// date, valid_until not after valid_from, a bad evidence URL, a duplicate
// row, a learner who already holds the achievement. Nothing is issued when
// there is a problem; a dry run stops after this pass.
//
// The identity rule for duplicates: a learner is their email address
// compared without regard to case or surrounding spaces (store.EmailKey),
// and a learner receives a given achievement once. Two rows with the same
// address are duplicates; a row whose address already holds a credential of
// the achievement — issued outside this job — is a duplicate of an issued
// credential. Only 16-byte digests of the addresses are held in memory.
//
// # Jobs
//
// A job is identified by the organization, the achievement and the SHA-256
// of the file's bytes, so running the same command again finds the same
// job. The job and the outcome of each row live in the database. Row n is
// issued with the idempotency key "bulk:<job id>:<n>", and the issuer
// commits a credential together with its key; the runner's own row records
// are written afterwards in batches, and on every start ReconcileBulkJob
// re-derives them from the credentials table. So a process killed at any
// moment loses no credential and, run again, issues no row twice: rows
// that have a credential are skipped without being signed again.
//
// # Pipeline
//
// One goroutine streams the file (it is read twice — validation, issuance
// — and never held in memory), W workers call issue.Service.Issue, which
// signs in the worker's goroutine and hands the write to the issuer's group
// commit, and the calling goroutine accounts for the results, records them
// in batches and checks, with every batch, whether an operator paused or
// cancelled the job. The reader checks that flag between rows.
//
// Learner mail is queued by the issuer in the same transaction as each
// credential (Notify); the mail worker of the server sends the outbox in
// batches (it claims up to its batch size at a time and, when it got a full
// batch, claims the next at once).
package bulk
