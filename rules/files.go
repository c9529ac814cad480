package rules

import "embed"

// Files are the generated rule files, for programs that load them without the repository
// beside them (the demo's Prometheus).
//
//go:embed etcd-mixin-alerts.yml etcd-monitor-alerts.yml etcd-recording.yml
var Files embed.FS
