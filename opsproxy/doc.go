// Package opsproxy is the suite's REST API for etcd operations: keys, watch, cluster membership,
// maintenance and snapshots, with bearer-token authentication, role-based access scoped to
// clusters and key prefixes, and a tamper-evident audit record of every operation it reaches.
// The Grafana app and the ctl shell are its clients; New builds the server, RegisterCommand the
// `etcd-monitor opsproxy` subcommand.
package opsproxy
