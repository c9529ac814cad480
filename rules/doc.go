// Package rules defines etcd-monitor's Prometheus alerting and recording rules and renders them to
// the committed rule files from one settings file (config/settings.yml): selectors, thresholds and `for`
// durations live there, the expressions and texts live here.
package rules
