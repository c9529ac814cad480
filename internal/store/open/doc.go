// Package open builds the configured store.Store: PostgreSQL when a DSN is
// set, otherwise the embedded bbolt file. It is the one place components
// (opsproxy, bench, diskprobe, demo) turn store configuration into a store.
package open
