package bulk

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/microcred/microcred/internal/store"
)

// Report is the stored outcome of validating a job's file with a mapping:
// the row and problem counts and the first problems in words. A job keeps
// the report of its last validation (store.BulkJob.Validation), so that
// showing a pending job does not read its whole file again.
type Report struct {
	Mapping  string   `json:"mapping"` // the mapping validated with (Mapping.String)
	Rows     int      `json:"rows"`
	Problems int      `json:"problems"`
	Shown    []string `json:"shown,omitempty"` // the first problems, at most the limit asked for
}

// OK reports whether the file had no problems.
func (r Report) OK() bool { return r.Problems == 0 }

// SavedReport returns the report stored with j if it was made with j's
// current mapping.
func SavedReport(j store.BulkJob) (Report, bool) {
	if j.Validation == "" {
		return Report{}, false
	}
	var r Report
	if err := json.Unmarshal([]byte(j.Validation), &r); err != nil || r.Mapping != j.Mapping {
		return Report{}, false
	}
	return r, true
}

// ValidateJob validates j's uploaded file with m (credentials the job
// issued itself are not duplicates), keeps up to shown problems in words,
// and stores the report with the job. It reads the file once, streaming.
func (r *Runner) ValidateJob(ctx context.Context, j store.BulkJob, m Mapping, shown int) (Report, error) {
	rep := Report{Mapping: m.String()}
	v, err := r.validateFile(ctx, Options{OrgID: j.OrgID, AchievementID: j.AchievementID, CSVPath: j.CSVPath, Mapping: m},
		store.BulkIdempotencyPrefix(j.ID), func(p Problem) {
			if len(rep.Shown) < shown {
				rep.Shown = append(rep.Shown, p.String())
			}
		})
	if err != nil {
		return rep, err
	}
	rep.Rows, rep.Problems = v.Rows, v.Problems
	b, err := json.Marshal(rep)
	if err != nil {
		return rep, fmt.Errorf("bulk: encode report: %w", err)
	}
	if err := r.Store.SetBulkJobValidation(ctx, j.ID, string(b)); err != nil {
		return rep, fmt.Errorf("bulk: store report: %w", err)
	}
	return rep, nil
}
