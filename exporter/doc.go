// Package exporter is etcd-monitor's multi-cluster prober: it probes every configured etcd
// cluster from the outside (health, status, leader agreement, revision spread, alarms, HashKV
// consistency, key counts, certificates, an optional write canary) and serves the result on
// /metrics for all clusters and on /probe?target=<cluster> for Prometheus's multi-target pattern.
package exporter
