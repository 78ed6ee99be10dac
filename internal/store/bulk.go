package store

import (
	"context"
	"time"
)

// BulkState is the state of a bulk issuance job.
type BulkState string

// Bulk job states. A job is created pending, validated, then running until
// every row has an outcome (done); paused and cancelled are set by an
// operator and honoured by the runner between rows; failed records an error
// that stopped the whole job (an invalid file, a missing achievement).
const (
	BulkPending    BulkState = "pending"
	BulkValidating BulkState = "validating"
	BulkRunning    BulkState = "running"
	BulkPaused     BulkState = "paused"
	BulkCancelled  BulkState = "cancelled"
	BulkDone       BulkState = "done"
	BulkFailed     BulkState = "failed"
)

// Valid reports whether s is one of the bulk job states.
func (s BulkState) Valid() bool {
	switch s {
	case BulkPending, BulkValidating, BulkRunning, BulkPaused, BulkCancelled, BulkDone, BulkFailed:
		return true
	}
	return false
}

// BulkJob is one CSV file issued for one achievement. (OrgID,
// AchievementID, CSVSHA256) is unique: the same file for the same
// achievement is always the same job.
type BulkJob struct {
	ID            string
	OrgID         string
	AchievementID string
	CSVSHA256     string // lowercase hex SHA-256 of the file's bytes
	CSVPath       string // where the server keeps an uploaded file; "" for CLI jobs
	FileName      string // the name the file was uploaded or given with
	Mapping       string // column=field pairs, one per line
	Notify        bool   // mail each learner
	State         BulkState
	Total         int // data rows in the file, known after validation
	Done          int // rows with a credential
	Failed        int // rows whose issuance failed
	Error         string
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Validation is the report of the job's last validation as package
	// bulk encodes it; "" when the file was not validated yet.
	Validation string
}

// BulkRow is the outcome of one row of a bulk job: a credential, or the
// error that stopped it.
type BulkRow struct {
	JobID          string
	Row            int // 1 for the first data row
	Line           int // line of the file where the row starts; 0 when unknown
	RecipientEmail string
	CredentialID   string // "" when the row failed
	Error          string
}

// BulkIdempotencyPrefix is the prefix of the idempotency keys of a job's
// credentials: the key of row n is BulkIdempotencyPrefix(jobID) + n.
func BulkIdempotencyPrefix(jobID string) string { return "bulk:" + jobID + ":" }

// BulkStore keeps bulk issuance jobs and their per-row outcomes.
type BulkStore interface {
	// CreateBulkJob stores j unless a job with the same organization,
	// achievement and CSV digest exists; either way it returns the job
	// stored and whether it was created now.
	CreateBulkJob(ctx context.Context, j BulkJob) (stored BulkJob, created bool, err error)
	BulkJob(ctx context.Context, id string) (BulkJob, error)
	// FindBulkJob returns the job of a file (ErrNotFound when none).
	FindBulkJob(ctx context.Context, orgID, achievementID, csvSHA256 string) (BulkJob, error)
	// ListBulkJobs returns the jobs of an organization ("" for every
	// organization) in the given states (none: every state), newest first.
	ListBulkJobs(ctx context.Context, orgID string, states ...BulkState) ([]BulkJob, error)
	// SetBulkJobState changes a job's state (and its error text, and its
	// total when total >= 0). With from given, the change happens only
	// when the job is in one of those states; otherwise it is ErrConflict.
	SetBulkJobState(ctx context.Context, id string, to BulkState, errText string, total int, from ...BulkState) (BulkJob, error)
	// SetBulkJobOptions changes the column mapping and the notify choice
	// of a job that is pending or failed (ErrConflict otherwise): a job's
	// options are fixed once it has issued rows.
	SetBulkJobOptions(ctx context.Context, id, mapping string, notify bool) error
	// SetBulkJobValidation stores the report of a validation of the job's
	// file (see BulkJob.Validation).
	SetBulkJobValidation(ctx context.Context, id, report string) error
	// RecordBulkRows stores row outcomes (replacing earlier outcomes of the
	// same rows), adds them to the job's done and failed counts, and
	// returns the job as it is afterwards, so the runner sees a pause or
	// cancel in the same round trip.
	RecordBulkRows(ctx context.Context, jobID string, rows []BulkRow) (BulkJob, error)
	// ReconcileBulkJob makes the job's bookkeeping agree with the
	// credentials table after a crash: every credential whose idempotency
	// key belongs to the job is recorded as its row's outcome, the
	// outcomes of failed rows are dropped (they are tried again), and the
	// counts are recomputed.
	ReconcileBulkJob(ctx context.Context, jobID string) (BulkJob, error)
	// BulkRows calls fn for the recorded rows of a job in row order.
	BulkRows(ctx context.Context, jobID string, fn func(BulkRow) error) error
	// AchievementRecipients calls fn with the recipient email key (see
	// EmailKey) of every credential of the achievement whose idempotency
	// key does not start with excludeKeyPrefix ("" excludes nothing).
	AchievementRecipients(ctx context.Context, achievementID, excludeKeyPrefix string, fn func(emailKey string) error) error
}
