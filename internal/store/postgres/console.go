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

const consoleColumns = `id, cluster, line, time, exit_code, duration_ns`

// AppendConsoleEntry implements store.ConsoleHistoryStore. The insert, the user's count and
// the dropping of the user's oldest entries past the bound are one transaction; the count's row
// lock makes one user's appends take turns, and the oldest entries are found from the old end of
// the (user_name, time, id) index, so an append costs the same at the bound as below it.
func (s *Store) AppendConsoleEntry(ctx context.Context, e store.ConsoleEntry) (store.ConsoleEntry, error) {
	if err := s.check(); err != nil {
		return store.ConsoleEntry{}, fmt.Errorf("append console entry: %w", err)
	}
	e, err := store.PrepareConsoleEntry(e, time.Now())
	if err != nil {
		return store.ConsoleEntry{}, err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO console_history (id, user_name, `+strings.TrimPrefix(consoleColumns, "id, ")+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID, e.User, e.Cluster, e.Line, e.Time, e.ExitCode, int64(e.Duration)); err != nil {
			return err
		}
		var n int64
		if err := tx.QueryRow(ctx, `INSERT INTO console_counts (user_name, entries) VALUES ($1, 1)
			ON CONFLICT (user_name) DO UPDATE SET entries = console_counts.entries + 1 RETURNING entries`, e.User).Scan(&n); err != nil {
			return err
		}
		if n <= int64(s.consolePerUser) {
			return nil
		}
		tag, err := tx.Exec(ctx, `DELETE FROM console_history WHERE id IN (
			SELECT id FROM console_history WHERE user_name = $1 ORDER BY time, id COLLATE "C" LIMIT $2)`, e.User, n-int64(s.consolePerUser))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE console_counts SET entries = entries - $2 WHERE user_name = $1`, e.User, tag.RowsAffected())
		return err
	})
	switch {
	case isUniqueViolation(err):
		return store.ConsoleEntry{}, fmt.Errorf("append console entry %s: %w", e.ID, store.ErrConflict)
	case err != nil:
		return store.ConsoleEntry{}, fmt.Errorf("append console entry: %w", err)
	}
	return e, nil
}

// ListConsoleHistory implements store.ConsoleHistoryStore.
func (s *Store) ListConsoleHistory(ctx context.Context, f store.ConsoleHistoryFilter) (store.ConsoleHistoryPage, error) {
	if err := s.check(); err != nil {
		return store.ConsoleHistoryPage{}, fmt.Errorf("list console history: %w", err)
	}
	limit, cur, hasCur, err := store.CheckConsoleHistoryFilter(f)
	if err != nil {
		return store.ConsoleHistoryPage{}, err
	}
	var where []string
	var args []any
	add := func(cond string, vs ...any) {
		for _, v := range vs {
			args = append(args, v)
			cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1)
		}
		where = append(where, cond)
	}
	add("user_name = ?", f.User)
	if f.Cluster != "" {
		add("cluster = ?", f.Cluster)
	}
	if len(f.Clusters) > 0 {
		add("cluster = ANY(?)", f.Clusters)
	}
	if f.Contains != "" {
		// strpos rather than LIKE: the text is the user's, with no pattern characters.
		add("strpos(lower(line), lower(?)) > 0", f.Contains)
	}
	if hasCur {
		add(`(time, id COLLATE "C") < (?, ? COLLATE "C")`, cur.Time, cur.ID)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+consoleColumns+` FROM console_history WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY time DESC, id COLLATE "C" DESC LIMIT %d`, limit+1), args...)
	if err != nil {
		return store.ConsoleHistoryPage{}, fmt.Errorf("list console history: %w", err)
	}
	all, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ConsoleEntry, error) {
		e := store.ConsoleEntry{User: f.User}
		var d int64
		err := row.Scan(&e.ID, &e.Cluster, &e.Line, &e.Time, &e.ExitCode, &d)
		e.Time, e.Duration = e.Time.UTC(), time.Duration(d)
		return e, err
	})
	if err != nil {
		return store.ConsoleHistoryPage{}, fmt.Errorf("list console history: %w", err)
	}
	page := store.ConsoleHistoryPage{Entries: all}
	if len(all) > limit {
		page.Entries = all[:limit]
		page.Next = store.ConsoleCursorAfter(all[limit-1]).Encode()
	}
	if page.Entries == nil {
		page.Entries = []store.ConsoleEntry{}
	}
	return page, nil
}

// ClearConsoleHistory implements store.ConsoleHistoryStore.
func (s *Store) ClearConsoleHistory(ctx context.Context, user string) (int64, error) {
	if err := s.check(); err != nil {
		return 0, fmt.Errorf("clear console history: %w", err)
	}
	if err := store.CheckConsoleUser(user); err != nil {
		return 0, fmt.Errorf("clear console history: %w", err)
	}
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM console_history WHERE user_name = $1`, user)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `DELETE FROM console_counts WHERE user_name = $1`, user)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("clear console history: %w", err)
	}
	return n, nil
}

// ConsoleSettings implements store.ConsoleHistoryStore.
func (s *Store) ConsoleSettings(ctx context.Context, user string) (store.ConsoleSettings, error) {
	var set store.ConsoleSettings
	if err := s.check(); err != nil {
		return set, fmt.Errorf("console settings: %w", err)
	}
	if err := store.CheckConsoleUser(user); err != nil {
		return set, fmt.Errorf("console settings: %w", err)
	}
	err := s.pool.QueryRow(ctx, `SELECT keep_values FROM console_settings WHERE user_name = $1`, user).Scan(&set.KeepValues)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return store.ConsoleSettings{}, fmt.Errorf("console settings: %w", err)
	}
	return set, nil
}

// SetConsoleSettings implements store.ConsoleHistoryStore.
func (s *Store) SetConsoleSettings(ctx context.Context, user string, set store.ConsoleSettings) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("set console settings: %w", err)
	}
	if err := store.CheckConsoleUser(user); err != nil {
		return fmt.Errorf("set console settings: %w", err)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO console_settings (user_name, keep_values) VALUES ($1, $2)
		ON CONFLICT (user_name) DO UPDATE SET keep_values = EXCLUDED.keep_values`, user, set.KeepValues)
	if err != nil {
		return fmt.Errorf("set console settings: %w", err)
	}
	return nil
}
