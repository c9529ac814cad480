package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql timescale/*.sql
var migrationFS embed.FS

// migration is one embedded SQL file named NNNN_description.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the files of dir in version order.
func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name is not NNNN_description.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: version, name: name, sql: string(body)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

// migrate applies the migrations of dir that schema_migrations does not
// list, all in one transaction under an advisory lock, so that concurrent
// starts apply each exactly once and a failure leaves nothing half-done.
// It returns the names of those it applied. When nothing is pending it runs no
// DDL at all, so a role without CREATE can open an up-to-date schema; a
// role that may not apply a pending migration gets a *BehindError.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema, dir string, edit func(string) string) ([]string, error) {
	ms, err := loadMigrations(dir)
	if err != nil {
		return nil, err
	}
	todo, err := pendingMigrations(ctx, pool, ms)
	if err != nil || len(todo) == 0 {
		return nil, err
	}
	var applied []string
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('etcd-monitor/store/migrate'), hashtext($1))`, schema); err != nil {
			return fmt.Errorf("take migration lock: %w", err)
		}
		if schema != "" {
			// Only when missing: CREATE SCHEMA needs CREATE on the database even
			// with IF NOT EXISTS, which the owner of an existing schema may lack.
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT exists(SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); err != nil {
				return fmt.Errorf("look up schema %s: %w", schema, err)
			}
			if !exists {
				if _, err := tx.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
					return fmt.Errorf("create schema %s: %w", schema, err)
				}
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    int         PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		for _, m := range ms {
			if slices.Contains(done, m.version) {
				continue
			}
			sql := m.sql
			if edit != nil {
				sql = edit(sql)
			}
			if _, err := tx.Exec(ctx, sql); err != nil {
				return fmt.Errorf("apply migration %s: %w", m, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
				return fmt.Errorf("record migration %s: %w", m, err)
			}
			applied = append(applied, m.String())
		}
		return nil
	})
	if isInsufficientPrivilege(err) {
		return nil, &BehindError{Schema: schema, Missing: todo, Err: err}
	}
	if err != nil {
		return nil, err
	}
	return applied, nil
}

// pendingMigrations returns the migrations of ms that schema_migrations
// does not list: all of them when the table (or the schema) is missing.
func pendingMigrations(ctx context.Context, pool *pgxpool.Pool, ms []migration) ([]migration, error) {
	rows, err := pool.Query(ctx, `SELECT version FROM schema_migrations`)
	var done []int
	if err == nil {
		done, err = pgx.CollectRows(rows, pgx.RowTo[int])
	}
	if isUndefinedTable(err) {
		return ms, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return slices.DeleteFunc(slices.Clone(ms), func(m migration) bool { return slices.Contains(done, m.version) }), nil
}

func (m migration) String() string { return fmt.Sprintf("%04d_%s", m.version, m.name) }

// BehindError is returned by Open when the schema lacks migrations and the
// role it connects as may not apply them (no CREATE). Apply them with
// Migrate (`etcd-monitor store migrate`) as a role that may.
type BehindError struct {
	Schema  string
	Missing []migration
	Err     error
}

func (e *BehindError) Error() string {
	names := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		names[i] = m.String()
	}
	schema := e.Schema
	if schema == "" {
		schema = "the search_path schema"
	}
	return fmt.Sprintf("schema %s lacks migration %s and this role may not apply it; "+
		"run `etcd-monitor store migrate` as a role that owns the schema: %v", schema, strings.Join(names, ", "), e.Err)
}

func (e *BehindError) Unwrap() error { return e.Err }
