// Package postgres is the production store.Store on PostgreSQL through a
// pgx pool. Its schema comes from embedded, versioned migrations; when the
// timescaledb extension can be used, the audit log becomes a compressed
// hypertable, otherwise it stays an ordinary table with time indexes.
package postgres
