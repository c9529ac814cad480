// Package embedetcd runs a real etcd cluster of N members (go.etcd.io/etcd/server/v3/embed) on
// 127.0.0.1 free ports, in this process or one process per member, with TLS and auth variants and
// faults to inject (stop, restart, black-hole a member). Tests use it through internal/etcdtest;
// `etcd-monitor demo` uses it directly.
package embedetcd
