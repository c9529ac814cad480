package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

const scheduleColumns = `id, name, kind, cluster, parameters, cron, timezone, paused, created_by, created_at, updated_at,
	last_slot, last_job_id, missed_slots`

// CreateSchedule implements store.ScheduleStore.
func (s *Store) CreateSchedule(ctx context.Context, sc store.Schedule) (store.Schedule, error) {
	if err := s.check(); err != nil {
		return store.Schedule{}, fmt.Errorf("create schedule: %w", err)
	}
	sc, err := store.PrepareSchedule(sc, time.Now())
	if err != nil {
		return store.Schedule{}, err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO schedules (`+scheduleColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, NULL, '', 0)`,
		sc.ID, sc.Name, sc.Kind, sc.Cluster, string(sc.Parameters), sc.Cron, sc.Timezone, sc.Paused, sc.CreatedBy, sc.CreatedAt)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.ConstraintName == "schedules_name_per_cluster":
		return store.Schedule{}, fmt.Errorf("create schedule %s: a schedule named %q exists on cluster %s: %w",
			sc.ID, sc.Name, sc.Cluster, store.ErrConflict)
	case isUniqueViolation(err):
		return store.Schedule{}, fmt.Errorf("create schedule %s: schedule id: %w", sc.ID, store.ErrConflict)
	case err != nil:
		return store.Schedule{}, fmt.Errorf("create schedule %s: %w", sc.ID, err)
	}
	return sc, nil
}

// Schedule implements store.ScheduleStore.
func (s *Store) Schedule(ctx context.Context, id string) (store.Schedule, error) {
	if err := s.check(); err != nil {
		return store.Schedule{}, fmt.Errorf("schedule %s: %w", id, err)
	}
	sc, err := oneSchedule(ctx, s.pool, id)
	if err != nil {
		return store.Schedule{}, fmt.Errorf("schedule %s: %w", id, err)
	}
	return sc, nil
}

// ListSchedules implements store.ScheduleStore.
func (s *Store) ListSchedules(ctx context.Context, f store.ScheduleFilter) (store.SchedulePage, error) {
	if err := s.check(); err != nil {
		return store.SchedulePage{}, fmt.Errorf("list schedules: %w", err)
	}
	if err := store.CheckScheduleFilter(f); err != nil {
		return store.SchedulePage{}, err
	}
	limit := store.ClampJobLimit(f.Limit)
	var where []string
	var args []any
	add := func(cond string, vs ...any) {
		for _, v := range vs {
			args = append(args, v)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		where = append(where, cond)
	}
	if f.Cluster != "" {
		add("cluster = ?", f.Cluster)
	}
	if len(f.Clusters) > 0 {
		add("cluster = ANY(?)", f.Clusters)
	}
	if f.Kind != "" {
		add("kind = ?", f.Kind)
	}
	if f.Paused != nil {
		add("paused = ?", *f.Paused)
	}
	if cur, ok, _ := store.ParseJobCursor(f.Cursor); ok {
		add(`(created_at, id COLLATE "C") < (?, ? COLLATE "C")`, cur.CreatedAt, cur.ID)
	}
	sql := `SELECT ` + scheduleColumns + ` FROM schedules`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += fmt.Sprintf(` ORDER BY created_at DESC, id COLLATE "C" DESC LIMIT %d`, limit+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return store.SchedulePage{}, fmt.Errorf("list schedules: %w", err)
	}
	all, err := pgx.CollectRows(rows, scanSchedule)
	if err != nil {
		return store.SchedulePage{}, fmt.Errorf("list schedules: %w", err)
	}
	var page store.SchedulePage
	if len(all) > limit {
		all = all[:limit]
		page.Next = store.ScheduleCursor(all[limit-1]).Encode()
	}
	page.Schedules = all
	return page, nil
}

// SetSchedulePaused implements store.ScheduleStore.
func (s *Store) SetSchedulePaused(ctx context.Context, id string, paused bool, at time.Time) (store.Schedule, error) {
	if err := s.check(); err != nil {
		return store.Schedule{}, fmt.Errorf("pause schedule %s: %w", id, err)
	}
	at = store.NormalizeTime(nowIfZero(at))
	rows, err := s.pool.Query(ctx, `UPDATE schedules SET paused = $2, updated_at = $3
		WHERE id = $1 AND paused <> $2 RETURNING `+scheduleColumns, id, paused, at)
	if err != nil {
		return store.Schedule{}, fmt.Errorf("pause schedule %s: %w", id, err)
	}
	sc, err := pgx.CollectExactlyOneRow(rows, scanSchedule)
	if errors.Is(err, pgx.ErrNoRows) {
		// Not found, or already in that state.
		sc, err = oneSchedule(ctx, s.pool, id)
	}
	if err != nil {
		return store.Schedule{}, fmt.Errorf("pause schedule %s: %w", id, err)
	}
	return sc, nil
}

// DeleteSchedule implements store.ScheduleStore.
func (s *Store) DeleteSchedule(ctx context.Context, id string) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("delete schedule %s: %w", id, err)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM schedules WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete schedule %s: %w", id, err)
	}
	return nil
}

// AdvanceSchedule implements store.ScheduleStore with one conditional
// UPDATE: of concurrent calls with one slot, the first takes the row lock
// and moves last_slot; the others then see the new row, fail the condition
// and change nothing.
func (s *Store) AdvanceSchedule(ctx context.Context, id string, slot time.Time, jobID string, missed int64) (bool, error) {
	if err := s.check(); err != nil {
		return false, fmt.Errorf("advance schedule %s: %w", id, err)
	}
	if err := store.CheckScheduleAdvance(slot, missed); err != nil {
		return false, fmt.Errorf("schedule %s: %w", id, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE schedules SET last_slot = $2,
		last_job_id = CASE WHEN $3 = '' THEN last_job_id ELSE $3 END, missed_slots = missed_slots + $4
		WHERE id = $1 AND (last_slot IS NULL OR last_slot < $2)`, id, store.NormalizeTime(slot), jobID, missed)
	if err != nil {
		return false, fmt.Errorf("advance schedule %s: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	if _, err := oneSchedule(ctx, s.pool, id); err != nil {
		return false, fmt.Errorf("advance schedule %s: %w", id, err)
	}
	return false, nil
}

func oneSchedule(ctx context.Context, q querier, id string) (store.Schedule, error) {
	rows, err := q.Query(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE id = $1`, id)
	if err != nil {
		return store.Schedule{}, err
	}
	sc, err := pgx.CollectExactlyOneRow(rows, scanSchedule)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Schedule{}, store.ErrNotFound
	}
	return sc, err
}

func scanSchedule(row pgx.CollectableRow) (store.Schedule, error) {
	var sc store.Schedule
	var params []byte
	var lastSlot *time.Time
	if err := row.Scan(&sc.ID, &sc.Name, &sc.Kind, &sc.Cluster, &params, &sc.Cron, &sc.Timezone, &sc.Paused, &sc.CreatedBy,
		&sc.CreatedAt, &sc.UpdatedAt, &lastSlot, &sc.LastJobID, &sc.MissedSlots); err != nil {
		return sc, err
	}
	sc.Parameters = params
	sc.CreatedAt, sc.UpdatedAt = sc.CreatedAt.UTC(), sc.UpdatedAt.UTC()
	if lastSlot != nil {
		sc.LastSlot = lastSlot.UTC()
	}
	return sc, nil
}
