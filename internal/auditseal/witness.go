package auditseal

import (
	"context"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Witness keeps checkpoints where the database's writers cannot change
// them. A witness that holds a checkpoint beyond the store's head proves
// that the log's tail was cut.
type Witness interface {
	WitnessReader
	// Publish durably records c (or a newer checkpoint it already holds).
	Publish(ctx context.Context, c store.Checkpoint) error
	Close() error
}

// WitnessReader is the side of a witness that Verify needs.
type WitnessReader interface {
	// Read returns what the witness holds.
	Read(ctx context.Context) (WitnessRead, error)
	// Name says which witness this is, in reports ("file /var/lib/…").
	Name() string
}

// WitnessRead is the content of a witness.
type WitnessRead struct {
	Checkpoints []store.Checkpoint
	// IncompleteTail is set when the last entry was cut mid-write (a crash
	// during Publish); it is ignored, as its Publish never returned.
	IncompleteTail bool
	// Damaged lists entries that are not checkpoints, other than an
	// incomplete last one.
	Damaged []string
}
