package postgres_test

import (
	"testing"

	"github.com/microcred/microcred/internal/store/storetest"
)

// TestBatchWrites runs the multi-row write checks on PostgreSQL.
func TestBatchWrites(t *testing.T) { storetest.BatchWrites(t, open(t)) }
