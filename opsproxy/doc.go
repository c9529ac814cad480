// Package opsproxy is the suite's REST API for etcd operations: keys, watch, cluster membership,
// maintenance and snapshots, with bearer-token authentication, role-based access scoped to
// clusters and key prefixes, and a tamper-evident audit record of every operation it reaches.
// The Grafana app and the ctl shell are its clients; New builds the server, RegisterCommand the
// `etcd-monitor opsproxy` subcommand.
//
// Layout: internal/core is the small core (route table, authentication, RBAC, the audit hook,
// error answers, request metrics); each API area is a package registering its routes through
// it (internal/keys, internal/cluster, internal/maintenance, internal/tokens,
// internal/auditquery); internal/auditlog is the audit pipeline, internal/conns the cluster
// connections, internal/config the configuration file. A new area is a new package and one
// line in routes.go.
package opsproxy
