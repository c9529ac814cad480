// Package diskagent is opsproxy's client of the diskprobe agents on the etcd members' hosts
// (`etcd-monitor diskprobe serve`): it asks one for a probe (POST /probe), for its last result
// or for its health, with the TLS and basic auth of the member's disk_agents entry. The
// password is read from password_file at each call and never appears in an error.
package diskagent
