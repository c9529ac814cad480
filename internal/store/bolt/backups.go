package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Backup events are kept under their start time (Unix nanoseconds, 8 bytes big-endian, which
// orders every time after 1970) then their id, so a cursor from the end walks them newest first.

// SaveBackupEvent implements store.BackupStore.
func (s *Store) SaveBackupEvent(ctx context.Context, e store.BackupEvent) (store.BackupEvent, error) {
	if err := ctx.Err(); err != nil {
		return store.BackupEvent{}, fmt.Errorf("save backup event: %w", err)
	}
	e, err := store.PrepareBackupEvent(e)
	if err != nil {
		return store.BackupEvent{}, err
	}
	v, err := json.Marshal(&e)
	if err != nil {
		return store.BackupEvent{}, fmt.Errorf("encode backup event %s: %w", e.ID, err)
	}
	key := binary.BigEndian.AppendUint64(nil, uint64(e.StartedAt.UnixNano()))
	key = append(key, e.ID...)
	err = s.update(func(tx *bbolt.Tx) error {
		ids := tx.Bucket(bucketBackupEventIDs)
		if ids.Get([]byte(e.ID)) != nil {
			return fmt.Errorf("backup event id %s: %w", e.ID, store.ErrConflict)
		}
		if err := ids.Put([]byte(e.ID), key); err != nil {
			return err
		}
		return tx.Bucket(bucketBackupEvents).Put(key, v)
	})
	if err != nil {
		return store.BackupEvent{}, fmt.Errorf("save backup event %s: %w", e.ID, err)
	}
	return e, nil
}

// BackupEvent implements store.BackupStore.
func (s *Store) BackupEvent(ctx context.Context, id string) (store.BackupEvent, error) {
	var e store.BackupEvent
	err := s.view(func(tx *bbolt.Tx) error {
		ids := tx.Bucket(bucketBackupEventIDs)
		if ids == nil {
			return store.ErrNotFound
		}
		key := ids.Get([]byte(id))
		if key == nil {
			return store.ErrNotFound
		}
		return json.Unmarshal(tx.Bucket(bucketBackupEvents).Get(key), &e)
	})
	if err != nil {
		return store.BackupEvent{}, fmt.Errorf("backup event %.64s: %w", id, err)
	}
	return e, nil
}

// ListBackupEvents implements store.BackupStore.
func (s *Store) ListBackupEvents(ctx context.Context, f store.BackupEventFilter) ([]store.BackupEvent, error) {
	if err := store.CheckBackupEventFilter(f); err != nil {
		return nil, err
	}
	limit := store.ClampJobLimit(f.Limit)
	out := []store.BackupEvent{}
	err := s.view(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketBackupEvents)
		if b == nil { // a read-only open of a file from before backups
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(out) < limit; k, v = c.Prev() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var e store.BackupEvent
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode backup event %s: %w", k[8:], err)
			}
			if !f.Since.IsZero() && e.StartedAt.Before(f.Since) {
				return nil
			}
			if f.Match(e) {
				out = append(out, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list backup events: %w", err)
	}
	return out, nil
}
