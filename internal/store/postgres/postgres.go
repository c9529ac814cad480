package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// Options tune Open. Zero values pick the defaults.
type Options struct {
	// Schema, when set, is created if missing and used as the search_path
	// of every connection, so several stores can share one database.
	Schema string
	// Logger receives setup messages (default: discard).
	Logger *slog.Logger
	// ConsoleHistoryPerUser is how many console history entries each user
	// keeps (default store.DefaultConsoleHistoryPerUser); older ones are
	// dropped as new ones come.
	ConsoleHistoryPerUser int
}

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	pool      *pgxpool.Pool
	timescale bool
	closed    atomic.Bool
	// consolePerUser bounds each user's console history.
	consolePerUser int

	// appendMu makes this Store's appends go one at a time and guards head:
	// the chain head this Store last wrote, which the next batch is linked
	// onto (headKnown false: read the tip from audit_heads first).
	appendMu  sync.Mutex
	head      store.ChainPoint
	headKnown bool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string), applies pending migrations and returns the store.
// When the schema is up to date it runs no DDL, so a role with no CREATE
// privilege can open it; when it is behind and the role may not migrate,
// the error is a *BehindError naming the missing migrations.
// Errors never contain the DSN's password.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	pool, ts, _, err := connectAndMigrate(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	perUser := opts.ConsoleHistoryPerUser
	if perUser <= 0 {
		perUser = store.DefaultConsoleHistoryPerUser
	}
	return &Store{pool: pool, timescale: ts, consolePerUser: perUser}, nil
}

// Migrate applies the pending migrations, as Open does, and returns their
// names (none when the schema is up to date). Run it, as a role that owns
// the schema, before starting processes that connect as a role that may
// not create tables (`etcd-monitor store migrate`).
func Migrate(ctx context.Context, dsn string, opts Options) ([]string, error) {
	pool, _, applied, err := connectAndMigrate(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	pool.Close()
	return applied, nil
}

// connectAndMigrate connects, applies pending migrations (TimescaleDB's
// too, where available) and returns the pool, whether TimescaleDB is in
// use and the names of the migrations it applied.
func connectAndMigrate(ctx context.Context, dsn string, opts Options) (*pgxpool.Pool, bool, []string, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, false, nil, fmt.Errorf("postgres dsn: %s: %w", redact(dsn, err.Error()), store.ErrInvalid)
	}
	secret := cfg.ConnConfig.Password
	fail := func(what string, err error) error {
		var behind *BehindError
		if errors.As(err, &behind) {
			// Keep the type for errors.As; the server's text names no password.
			return fmt.Errorf("%s: %w", what, err)
		}
		return fmt.Errorf("%s: %s", what, redact(dsn, err.Error(), secret))
	}
	if opts.Schema != "" {
		// Set on every new connection rather than as a startup parameter, which
		// poolers and some servers (PGlite) drop.
		setPath := "SET search_path TO " + pgx.Identifier{opts.Schema}.Sanitize()
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, setPath)
			return err
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, false, nil, fail("connect to postgres", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, false, nil, fail("connect to postgres", err)
	}
	applied, err := migrate(ctx, pool, opts.Schema, "migrations", nil)
	if err != nil {
		pool.Close()
		return nil, false, nil, fail("migrate postgres store", err)
	}
	ts, tsApplied, err := setupTimescale(ctx, pool, opts.Schema, logger)
	if err != nil {
		pool.Close()
		return nil, false, nil, fail("migrate postgres store", err)
	}
	return pool, ts, append(applied, tsApplied...), nil
}

// Timescale reports whether the audit log is a TimescaleDB hypertable.
func (s *Store) Timescale() bool { return s.timescale }

// Close closes the pool. It is safe to call more than once.
func (s *Store) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.pool.Close()
	}
	return nil
}

// check returns ErrClosed after Close.
func (s *Store) check() error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return nil
}

// isInsufficientPrivilege reports a "permission denied" from the server.
func isInsufficientPrivilege(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

// isUndefinedTable reports a missing table (or schema on the search_path).
func isUndefinedTable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42P01"
}

// isUniqueViolation reports a unique or primary key conflict.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
