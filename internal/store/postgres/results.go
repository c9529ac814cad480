package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

const resultColumns = `id, kind, cluster, name, started_at, finished_at, parameters, figures, verdict`

// SaveResult implements store.ResultStore.
func (s *Store) SaveResult(ctx context.Context, r store.Result) (store.Result, error) {
	if err := s.check(); err != nil {
		return store.Result{}, fmt.Errorf("save result: %w", err)
	}
	r, err := store.PrepareResult(r)
	if err != nil {
		return store.Result{}, err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO results (`+resultColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, string(r.Kind), r.Cluster, r.Name, r.StartedAt, nullTime(r.FinishedAt),
		string(r.Parameters), string(r.Figures), string(r.Verdict))
	if isUniqueViolation(err) {
		return store.Result{}, fmt.Errorf("save result %s: %w", r.ID, store.ErrConflict)
	}
	if err != nil {
		return store.Result{}, fmt.Errorf("save result %s: %w", r.ID, err)
	}
	return r, nil
}

// Result implements store.ResultStore.
func (s *Store) Result(ctx context.Context, id string) (store.Result, error) {
	if err := s.check(); err != nil {
		return store.Result{}, fmt.Errorf("result %s: %w", id, err)
	}
	r, err := oneResult(ctx, s.pool, id)
	if err != nil {
		return store.Result{}, fmt.Errorf("result %s: %w", id, err)
	}
	return r, nil
}

// ListResults implements store.ResultStore.
func (s *Store) ListResults(ctx context.Context, f store.ResultFilter) ([]store.Result, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("list results: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultResultLimit
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	if f.Cluster != "" {
		add("cluster = ?", f.Cluster)
	}
	if f.Name != "" {
		add("name = ?", f.Name)
	}
	if !f.Since.IsZero() {
		add("started_at >= ?", f.Since)
	}
	sql := `SELECT ` + resultColumns + ` FROM results`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += fmt.Sprintf(` ORDER BY started_at DESC, id COLLATE "C" DESC LIMIT %d`, limit)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list results: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanResult)
	if err != nil {
		return nil, fmt.Errorf("list results: %w", err)
	}
	return out, nil
}

// SetBaseline implements store.ResultStore.
func (s *Store) SetBaseline(ctx context.Context, b store.Baseline) (store.Baseline, error) {
	if err := s.check(); err != nil {
		return store.Baseline{}, fmt.Errorf("set baseline: %w", err)
	}
	b, err := store.PrepareBaseline(b, time.Now())
	if err != nil {
		return store.Baseline{}, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		r, err := oneResult(ctx, tx, b.ResultID, "FOR SHARE")
		if err != nil {
			return fmt.Errorf("result %s: %w", b.ResultID, err)
		}
		if err := store.CheckBaselineResult(b, r); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO baselines (kind, cluster, name, result_id, set_by, set_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (kind, cluster, name) DO UPDATE
			SET result_id = excluded.result_id, set_by = excluded.set_by, set_at = excluded.set_at`,
			string(b.Kind), b.Cluster, b.Name, b.ResultID, b.SetBy, b.SetAt)
		b.Result = r
		return err
	})
	if err != nil {
		return store.Baseline{}, fmt.Errorf("set baseline %s: %w", b.Name, err)
	}
	return b, nil
}

const baselineQuery = `SELECT b.kind, b.cluster, b.name, b.result_id, b.set_by, b.set_at,
	r.id, r.kind, r.cluster, r.name, r.started_at, r.finished_at, r.parameters, r.figures, r.verdict
	FROM baselines b JOIN results r ON r.id = b.result_id`

// Baseline implements store.ResultStore.
func (s *Store) Baseline(ctx context.Context, kind store.ResultKind, cluster, name string) (store.Baseline, error) {
	if err := s.check(); err != nil {
		return store.Baseline{}, fmt.Errorf("baseline %s: %w", name, err)
	}
	rows, err := s.pool.Query(ctx, baselineQuery+` WHERE b.kind = $1 AND b.cluster = $2 AND b.name = $3`,
		string(kind), cluster, name)
	if err != nil {
		return store.Baseline{}, fmt.Errorf("baseline %s of %s %s: %w", name, kind, cluster, err)
	}
	b, err := pgx.CollectExactlyOneRow(rows, scanBaseline)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Baseline{}, fmt.Errorf("baseline %s of %s %s: %w", name, kind, cluster, err)
	}
	return b, nil
}

// ListBaselines implements store.ResultStore.
func (s *Store) ListBaselines(ctx context.Context, kind store.ResultKind, cluster string) ([]store.Baseline, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("list baselines: %w", err)
	}
	rows, err := s.pool.Query(ctx, baselineQuery+` WHERE ($1 = '' OR b.kind = $1) AND ($2 = '' OR b.cluster = $2)
		ORDER BY b.kind COLLATE "C", b.cluster COLLATE "C", b.name COLLATE "C"`, string(kind), cluster)
	if err != nil {
		return nil, fmt.Errorf("list baselines: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanBaseline)
	if err != nil {
		return nil, fmt.Errorf("list baselines: %w", err)
	}
	return out, nil
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func oneResult(ctx context.Context, q querier, id string, lock ...string) (store.Result, error) {
	rows, err := q.Query(ctx, `SELECT `+resultColumns+` FROM results WHERE id = $1 `+strings.Join(lock, " "), id)
	if err != nil {
		return store.Result{}, err
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanResult)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Result{}, store.ErrNotFound
	}
	return r, err
}

func scanResult(row pgx.CollectableRow) (store.Result, error) {
	var r store.Result
	dest, finish := resultDest(&r)
	if err := row.Scan(dest...); err != nil {
		return r, err
	}
	finish()
	return r, nil
}

func scanBaseline(row pgx.CollectableRow) (store.Baseline, error) {
	var b store.Baseline
	dest, finish := resultDest(&b.Result)
	if err := row.Scan(append([]any{(*string)(&b.Kind), &b.Cluster, &b.Name, &b.ResultID, &b.SetBy, &b.SetAt}, dest...)...); err != nil {
		return b, err
	}
	b.SetAt = b.SetAt.UTC()
	finish()
	return b, nil
}

// resultDest returns scan destinations for resultColumns and a function
// that moves the scanned values into r.
func resultDest(r *store.Result) ([]any, func()) {
	var finished *time.Time
	var params, figures []byte
	dest := []any{&r.ID, (*string)(&r.Kind), &r.Cluster, &r.Name, &r.StartedAt,
		&finished, &params, &figures, (*string)(&r.Verdict)}
	return dest, func() {
		r.StartedAt = r.StartedAt.UTC()
		if finished != nil {
			r.FinishedAt = finished.UTC()
		}
		r.Parameters, r.Figures = params, figures
	}
}
