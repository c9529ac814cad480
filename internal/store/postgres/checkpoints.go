package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

const checkpointColumns = `kind, seq, hash, time, anchor_seq, anchor_hash, key_id, signature`

// AppendCheckpoint implements store.CheckpointStore.
func (s *Store) AppendCheckpoint(ctx context.Context, c store.Checkpoint) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("append checkpoint: %w", err)
	}
	c, err := store.PrepareCheckpoint(c)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO audit_checkpoints (`+checkpointColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(c.Kind), c.Seq, c.Hash, c.Time, c.Anchor.Seq, c.Anchor.Hash, c.KeyID, c.Signature)
	if err != nil {
		return fmt.Errorf("append checkpoint %d: %w", c.Seq, err)
	}
	return nil
}

// Checkpoints implements store.CheckpointStore.
func (s *Store) Checkpoints(ctx context.Context, f store.CheckpointFilter) ([]store.Checkpoint, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	sql := `SELECT ` + checkpointColumns + ` FROM audit_checkpoints WHERE seq >= $1 AND ($2 = '' OR kind = $2)`
	if f.Last {
		sql += ` ORDER BY seq DESC, id DESC LIMIT 1`
	} else {
		sql += ` ORDER BY seq, id`
	}
	rows, err := s.pool.Query(ctx, sql, f.FromSeq, string(f.Kind))
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return out, nil
}

func scanCheckpoint(row pgx.CollectableRow) (store.Checkpoint, error) {
	var c store.Checkpoint
	var kind string
	err := row.Scan(&kind, &c.Seq, &c.Hash, &c.Time, &c.Anchor.Seq, &c.Anchor.Hash, &c.KeyID, &c.Signature)
	c.Kind, c.Time = store.CheckpointKind(kind), c.Time.UTC()
	return c, err
}
