// Package kubernetes renders the manifests of deploy/kubernetes that are derived from other
// files of the repository (the PrometheusRules from rules/*.yml, the Grafana dashboard
// ConfigMaps from dashboards/json/*.json; `make kubernetes` writes them), and its tests render the
// kustomizations with kustomize's Go API and check their structure.
package kubernetes
