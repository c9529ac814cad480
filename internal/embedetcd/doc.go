// Package embedetcd runs a real etcd cluster of N members (go.etcd.io/etcd/server/v3/embed) on
// 127.0.0.1 free ports, in this process or one process per member, with TLS and auth variants and
// faults to inject (stop, restart, black-hole a member). Tests use it through internal/etcdtest;
// `etcd-monitor demo` uses it directly.
//
// Ports (FreePort) come from 20000-32767, below the kernel's ephemeral range (read from
// /proc/sys/net/ipv4/ip_local_port_range), so that neither a port-0 bind nor an outgoing
// connection's source port can take one between the moment it is handed out and the moment etcd
// binds it. Each port handed out is held by an flock on its own file in os.TempDir()/embedetcd-ports
// until this process exits (the kernel drops the lock when it dies), so the test binaries that
// `go test ./...` runs side by side skip each other's ports; a port is also checked bindable.
package embedetcd
