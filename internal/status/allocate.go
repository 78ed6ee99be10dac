package status

import (
	"context"
	"fmt"
	"sync"

	"github.com/microcred/microcred/internal/store"
)

// DefaultBlockSize is how many sequence numbers the Allocator reserves per
// organization and purpose in one database transaction.
const DefaultBlockSize = 256

// Assignment is the list index allocated to a credential for one purpose.
type Assignment struct {
	Purpose string
	List    int
	Index   int
	Seq     int // the slot's sequence number, from which Index is derived
}

// Allocator hands out list indexes for new credentials. Uniqueness comes
// from the database (store.StatusStore.ReserveStatusSlots); the Allocator
// only keeps the unused rest of each reserved block in memory. An
// Allocator is safe for concurrent use.
type Allocator struct {
	Store     store.Store
	ListSize  int // entries of new lists; 0 means DefaultListSize
	BlockSize int // slots reserved at a time; 0 means DefaultBlockSize

	mu     sync.Mutex
	blocks map[blockKey][]store.StatusSlot
}

type blockKey struct{ org, purpose string }

// Allocate returns one index per purpose (revocation, then suspension)
// for a new credential of the organization. Indexes are unique for good:
// an index whose credential is never stored is simply never used.
func (a *Allocator) Allocate(ctx context.Context, orgID string) ([]Assignment, error) {
	out := make([]Assignment, 0, len(Purposes))
	for _, p := range Purposes {
		slot, err := a.next(ctx, orgID, p)
		if err != nil {
			return nil, err
		}
		out = append(out, Assignment{Purpose: p, List: slot.List, Index: Permute(slot.Key, slot.Size, slot.Seq), Seq: slot.Seq})
	}
	return out, nil
}

func (a *Allocator) next(ctx context.Context, orgID, purpose string) (store.StatusSlot, error) {
	k := blockKey{orgID, purpose}
	a.mu.Lock()
	if b := a.blocks[k]; len(b) > 0 {
		a.blocks[k] = b[1:]
		a.mu.Unlock()
		return b[0], nil
	}
	a.mu.Unlock()
	// Reserve outside the lock: a slow database must not stall other
	// organizations. Two goroutines may both reserve; the spare block is
	// kept, never lost.
	size, block := a.ListSize, a.BlockSize
	if size <= 0 {
		size = DefaultListSize
	}
	if block <= 0 {
		block = DefaultBlockSize
	}
	slots, err := a.Store.ReserveStatusSlots(ctx, orgID, purpose, block, size)
	if err != nil {
		return store.StatusSlot{}, fmt.Errorf("status: allocate %s index: %w", purpose, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.blocks == nil {
		a.blocks = map[blockKey][]store.StatusSlot{}
	}
	a.blocks[k] = append(a.blocks[k], slots[1:]...)
	return slots[0], nil
}

// Record stores a credential's assignments through tx, normally the
// transaction that stores the credential itself.
func Record(ctx context.Context, tx store.Store, orgID, credentialID string, as []Assignment) error {
	for _, a := range as {
		if err := tx.InsertCredentialStatus(ctx, store.CredentialStatus{CredentialID: credentialID, OrgID: orgID,
			Purpose: a.Purpose, List: a.List, Index: a.Index, Seq: a.Seq}); err != nil {
			return fmt.Errorf("status: record %s index: %w", a.Purpose, err)
		}
	}
	return nil
}
