package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

const backupEventColumns = `id, cluster, location, kind, name, job_id, started_at, finished_at, ok, error, size, record`

// SaveBackupEvent implements store.BackupStore.
func (s *Store) SaveBackupEvent(ctx context.Context, e store.BackupEvent) (store.BackupEvent, error) {
	if err := s.check(); err != nil {
		return store.BackupEvent{}, fmt.Errorf("save backup event: %w", err)
	}
	e, err := store.PrepareBackupEvent(e)
	if err != nil {
		return store.BackupEvent{}, err
	}
	var finished *time.Time
	if !e.FinishedAt.IsZero() {
		finished = &e.FinishedAt
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO backup_events (`+backupEventColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ID, e.Cluster, e.Location, string(e.Kind), e.Name, e.JobID, e.StartedAt, finished, e.OK, e.Error, e.Size, string(e.Record))
	switch {
	case isUniqueViolation(err):
		return store.BackupEvent{}, fmt.Errorf("save backup event %s: %w", e.ID, store.ErrConflict)
	case err != nil:
		return store.BackupEvent{}, fmt.Errorf("save backup event %s: %w", e.ID, err)
	}
	return e, nil
}

// BackupEvent implements store.BackupStore.
func (s *Store) BackupEvent(ctx context.Context, id string) (store.BackupEvent, error) {
	if err := s.check(); err != nil {
		return store.BackupEvent{}, fmt.Errorf("backup event: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+backupEventColumns+` FROM backup_events WHERE id = $1`, id)
	if err != nil {
		return store.BackupEvent{}, fmt.Errorf("backup event %.64s: %w", id, err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanBackupEvent)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.BackupEvent{}, fmt.Errorf("backup event %.64s: %w", id, err)
	}
	return e, nil
}

// ListBackupEvents implements store.BackupStore.
func (s *Store) ListBackupEvents(ctx context.Context, f store.BackupEventFilter) ([]store.BackupEvent, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("list backup events: %w", err)
	}
	if err := store.CheckBackupEventFilter(f); err != nil {
		return nil, err
	}
	var since *time.Time
	if !f.Since.IsZero() {
		t := store.NormalizeTime(f.Since)
		since = &t
	}
	rows, err := s.pool.Query(ctx, `SELECT `+backupEventColumns+` FROM backup_events
		WHERE ($1 = '' OR cluster = $1) AND ($2 = '' OR location = $2) AND ($3 = '' OR kind = $3) AND ($4 = '' OR name = $4)
		AND ($5::timestamptz IS NULL OR started_at >= $5)
		ORDER BY started_at DESC, id COLLATE "C" DESC LIMIT $6`,
		f.Cluster, f.Location, string(f.Kind), f.Name, since, store.ClampJobLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("list backup events: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanBackupEvent)
	if err != nil {
		return nil, fmt.Errorf("list backup events: %w", err)
	}
	if out == nil {
		out = []store.BackupEvent{}
	}
	return out, nil
}

func scanBackupEvent(row pgx.CollectableRow) (store.BackupEvent, error) {
	var e store.BackupEvent
	var kind, record string
	var finished *time.Time
	err := row.Scan(&e.ID, &e.Cluster, &e.Location, &kind, &e.Name, &e.JobID, &e.StartedAt, &finished, &e.OK, &e.Error, &e.Size, &record)
	e.Kind, e.StartedAt, e.Record = store.BackupEventKind(kind), e.StartedAt.UTC(), []byte(record)
	if finished != nil {
		e.FinishedAt = finished.UTC()
	}
	return e, err
}
