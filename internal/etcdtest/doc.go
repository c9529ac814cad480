// Package etcdtest starts real etcd clusters (go.etcd.io/etcd/server/v3/embed) on 127.0.0.1 for tests:
// N members on free ports, in this process or one process per member, with TLS and auth variants,
// and faults to inject (stop, restart, black-hole a member). Every test that needs etcd uses it.
package etcdtest
