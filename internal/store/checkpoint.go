package store

import (
	"context"
	"fmt"
	"time"
)

// CheckpointStore keeps signed checkpoints of the audit chain beside it.
// The store only keeps them: it neither signs nor checks signatures (see
// package auditseal). A checkpoint kept here is readable without the
// witness, but someone who can write the database can delete it too; the
// witness outside the database is what catches a cut tail.
type CheckpointStore interface {
	// AppendCheckpoint keeps c. Checkpoints are only ever added; PruneAudit
	// removes those below its new anchor with the records they vouch for.
	AppendCheckpoint(ctx context.Context, c Checkpoint) error
	// Checkpoints returns the checkpoints matching f, by Seq and then in the
	// order they were appended.
	Checkpoints(ctx context.Context, f CheckpointFilter) ([]Checkpoint, error)
}

// CheckpointKind says what a checkpoint vouches for.
type CheckpointKind string

// Checkpoint kinds.
const (
	// CheckpointHead vouches for the last record of a committed batch.
	CheckpointHead CheckpointKind = "head"
	// CheckpointAnchor vouches for a retention anchor set by PruneAudit.
	CheckpointAnchor CheckpointKind = "anchor"
)

// Valid reports whether k is one of the defined kinds.
func (k CheckpointKind) Valid() bool { return k == CheckpointHead || k == CheckpointAnchor }

// Checkpoint is a signed statement that the chain's record Seq has Hash,
// made at Time when the retention anchor was Anchor (for CheckpointAnchor,
// Anchor is the point itself).
type Checkpoint struct {
	Kind   CheckpointKind `json:"kind"`
	Seq    int64          `json:"seq"`
	Hash   []byte         `json:"hash"`
	Time   time.Time      `json:"time"`
	Anchor ChainPoint     `json:"anchor"`
	// KeyID names the signing key; Signature is over the other fields.
	KeyID     string `json:"key_id"`
	Signature []byte `json:"signature"`
}

// CheckpointFilter selects checkpoints. Zero fields do not filter.
type CheckpointFilter struct {
	// FromSeq selects checkpoints with Seq at or after it.
	FromSeq int64
	Kind    CheckpointKind
	// Last returns only the matching checkpoint with the highest Seq (the
	// last appended of those).
	Last bool
}

// Match reports whether c passes f's FromSeq and Kind. Backends without a
// query language use it.
func (f CheckpointFilter) Match(c *Checkpoint) bool {
	return c.Seq >= f.FromSeq && (f.Kind == "" || c.Kind == f.Kind)
}

// PrepareCheckpoint validates c and puts it in the form that is stored:
// UTC time with microsecond precision.
func PrepareCheckpoint(c Checkpoint) (Checkpoint, error) {
	c.Time = NormalizeTime(c.Time)
	switch {
	case !c.Kind.Valid():
		return c, fmt.Errorf("checkpoint: unknown kind %q: %w", c.Kind, ErrInvalid)
	case c.Seq < 0 || c.Anchor.Seq < 0:
		return c, fmt.Errorf("checkpoint: negative seq: %w", ErrInvalid)
	case len(c.Hash) != HashSize || len(c.Anchor.Hash) != HashSize:
		return c, fmt.Errorf("checkpoint: hashes must be %d bytes: %w", HashSize, ErrInvalid)
	case c.Time.IsZero():
		return c, fmt.Errorf("checkpoint: time is zero: %w", ErrInvalid)
	case len(c.Signature) == 0:
		return c, fmt.Errorf("checkpoint: unsigned: %w", ErrInvalid)
	}
	return c, nil
}
