package consolehistory

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// api serves the console history area.
type api struct{ *core.Core }

// Register adds the console history and settings routes to co. Every role may read and
// change its own; the changes are audited.
func Register(co *core.Core) {
	s := &api{co}
	co.Handle("GET /api/v1/console/history", core.OpSpec{Name: "console.history.list", Role: core.RoleViewer}, s.listHistory)
	co.Handle("DELETE /api/v1/console/history", core.OpSpec{Name: "console.history.clear", Role: core.RoleViewer, Mutating: true}, s.clearHistory)
	co.Handle("GET /api/v1/console/settings", core.OpSpec{Name: "console.settings.get", Role: core.RoleViewer}, s.getSettings)
	co.Handle("PUT /api/v1/console/settings", core.OpSpec{Name: "console.settings.set", Role: core.RoleViewer, Mutating: true}, s.setSettings)
}
