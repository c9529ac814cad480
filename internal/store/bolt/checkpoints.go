package bolt

import (
	"context"
	"encoding/json"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Checkpoints are kept under their Seq then a per-bucket sequence number
// (both 8 bytes big-endian), so a cursor walks them by Seq in append order.

// AppendCheckpoint implements store.CheckpointStore.
func (s *Store) AppendCheckpoint(ctx context.Context, c store.Checkpoint) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("append checkpoint: %w", err)
	}
	c, err := store.PrepareCheckpoint(c)
	if err != nil {
		return err
	}
	v, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("encode checkpoint %d: %w", c.Seq, err)
	}
	err = s.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCheckpoints)
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		return b.Put(append(seqKey(c.Seq), seqKey(int64(n))...), v)
	})
	if err != nil {
		return fmt.Errorf("append checkpoint %d: %w", c.Seq, err)
	}
	return nil
}

// Checkpoints implements store.CheckpointStore.
func (s *Store) Checkpoints(ctx context.Context, f store.CheckpointFilter) ([]store.Checkpoint, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	var out []store.Checkpoint
	err := s.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCheckpoints)
		if b == nil { // a read-only open of a file from before checkpoints
			return nil
		}
		c := b.Cursor()
		k, v := c.Seek(seqKey(f.FromSeq))
		step := c.Next
		if f.Last {
			k, v = c.Last()
			step = c.Prev
		}
		for ; k != nil && seqOf(k[:8]) >= f.FromSeq; k, v = step() {
			var cp store.Checkpoint
			if err := json.Unmarshal(v, &cp); err != nil {
				return fmt.Errorf("decode checkpoint %d: %w", seqOf(k[:8]), err)
			}
			if !f.Match(&cp) {
				continue
			}
			out = append(out, cp)
			if f.Last {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return out, nil
}

// pruneCheckpoints removes the checkpoints below anchor.
func pruneCheckpoints(tx *bbolt.Tx, anchor int64) error {
	c := tx.Bucket(bucketCheckpoints).Cursor()
	for k, _ := c.First(); k != nil && seqOf(k[:8]) < anchor; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return fmt.Errorf("delete checkpoint %d: %w", seqOf(k[:8]), err)
		}
	}
	return nil
}
