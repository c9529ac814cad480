// Package dashboards builds etcd-monitor's Grafana dashboards as Go code with the Grafana
// Foundation SDK: a cluster overview, a member detail and the exporter's own probe health.
// cmd/gen renders them to the JSON files in json/ that users import into Grafana.
package dashboards
