// Package clusterconfig is the connection configuration of an etcd cluster shared by every
// component (exporter, opsproxy, bench, the Grafana backend): name, endpoints, TLS, credentials
// and timeouts, decoded strictly from YAML with defaults and field-named validation errors, and
// turned into an etcd client configuration.
package clusterconfig
