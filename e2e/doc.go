// Package e2e proves the alert pipeline end to end with the real programs: a 3-member etcd
// cluster (one process per member), the exporter, Prometheus with our rules and Alertmanager with
// our configuration, notifying local capture servers that speak SMTP, Slack's webhook and
// PagerDuty's Events API v2. The helpers here start and stop those programs; the tests drive faults.
package e2e
