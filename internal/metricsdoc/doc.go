// Package metricsdoc checks a Prometheus exposition against a metrics table in docs/metrics.md,
// in both directions: every exposed family is documented with its type, labels and HELP, and
// every documented family is exposed. The exporter's and opsproxy's tests use it.
package metricsdoc
