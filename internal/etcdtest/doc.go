// Package etcdtest starts real etcd clusters for tests (internal/embedetcd under testing.TB):
// N members on free loopback ports, in this process or one process per member, TLS and auth
// variants, and faults to inject (stop, restart, black-hole a member). Every test in the project
// that needs etcd uses it; etcd's logs are shown only when the test fails.
package etcdtest
