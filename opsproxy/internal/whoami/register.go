package whoami

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// Register adds the whoami route to co: any authenticated token may ask who it is.
func Register(co *core.Core) {
	co.Handle("GET /api/v1/whoami", core.OpSpec{Name: "whoami", Role: core.RoleViewer}, whoami)
}
