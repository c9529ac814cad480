// Command gen renders etcd-monitor's Grafana dashboards to JSON files. Run it from the
// repository root (`go run ./dashboards/cmd/gen`, or `make dashboards`) and commit dashboards/json.
package main
