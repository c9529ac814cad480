// Package agent is `etcd-monitor diskprobe serve`: a small process on each etcd host that runs
// the agent's WAL-style probe on a jittered interval within an hourly I/O budget, exports the
// sync latencies and verdicts on /metrics, and runs a probe on demand (POST /probe) for opsproxy's
// disk-test jobs, behind exporter-toolkit's TLS and basic auth.
package agent
