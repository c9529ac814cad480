package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// setupTimescale turns the audit log into a compressed hypertable when the
// timescaledb extension is installed, or can be installed, in the database.
// It reports whether TimescaleDB is in use and the migrations it applied; a server without the extension
// (or without it preloaded) keeps the plain tables and is not an error.
func setupTimescale(ctx context.Context, pool *pgxpool.Pool, schema string, logger *slog.Logger) (bool, []string, error) {
	var installed *string
	err := pool.QueryRow(ctx, `SELECT installed_version FROM pg_available_extensions WHERE name = 'timescaledb'`).Scan(&installed)
	if errors.Is(err, pgx.ErrNoRows) {
		logger.Info("timescaledb extension not available; audit log uses a plain table with time indexes")
		return false, nil, nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("look up timescaledb extension: %w", err)
	}
	if installed == nil {
		if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public`); err != nil {
			logger.Warn("timescaledb extension available but could not be created; audit log uses a plain table", "err", err)
			return false, nil, nil
		}
	}
	var extSchema string
	if err := pool.QueryRow(ctx, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		WHERE e.extname = 'timescaledb'`).Scan(&extSchema); err != nil {
		return false, nil, fmt.Errorf("find timescaledb schema: %w", err)
	}
	qualify := func(sql string) string {
		return strings.ReplaceAll(sql, "{{ts}}", pgx.Identifier{extSchema}.Sanitize())
	}
	applied, err := migrate(ctx, pool, schema, "timescale", qualify)
	if err != nil {
		return false, nil, fmt.Errorf("timescaledb setup: %w", err)
	}
	if len(applied) > 0 {
		logger.Info("audit log converted to a timescaledb hypertable with compression", "migrations", applied)
	}
	return true, applied, nil
}
