// Package slo judges benchmark runs against service-level profiles: etcdctl check perf's s, m,
// l and xl (its loads and pass rules) and k8s-large, or profiles of one's own loaded from YAML.
// A verdict names each rule, whether it held and by how much it missed, and says when the load
// generator's own CPU may have been the limit.
package slo
