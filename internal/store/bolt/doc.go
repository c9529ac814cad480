// Package bolt is the embedded store.Store: one bbolt file, used when no
// PostgreSQL DSN is configured so that etcd-monitor runs with nothing but
// Go. Queries scan, which suits the demo and small installations.
package bolt
