package open

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
)

// DefaultPath is the embedded store's file when Config.Path is empty.
const DefaultPath = "etcd-monitor.db"

// Config selects and configures the store.
type Config struct {
	// DSN is a PostgreSQL connection string (URL or key=value). Keep the
	// password out of it where possible: libpq's PGPASSWORD and .pgpass
	// are honoured.
	DSN string `yaml:"dsn"`
	// Schema is the PostgreSQL schema to use (default: the DSN's search_path).
	Schema string `yaml:"schema"`
	// Path is the embedded store's file, used when DSN is empty.
	Path string `yaml:"path"`
}

// Store opens the store cfg describes. Errors never contain the DSN password.
func Store(ctx context.Context, cfg Config, logger *slog.Logger) (store.Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.DSN != "" {
		st, err := postgres.Open(ctx, cfg.DSN, postgres.Options{Schema: cfg.Schema, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		logger.Info("history store on PostgreSQL", "timescaledb", st.Timescale(), "schema", cfg.Schema)
		return st, nil
	}
	path := cfg.Path
	if path == "" {
		path = DefaultPath
	}
	st, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	logger.Info("history store on embedded file", "path", path)
	return st, nil
}
