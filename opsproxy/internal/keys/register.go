package keys

import (
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/usercap"
)

// api serves the keys area: reads, writes, compare-and-swap and watches.
type api struct {
	*core.Core
	watches *watchLimiter
}

// Register adds the keys routes to co; users counts each user's open watches (across the
// replicas when it has Redis).
func Register(co *core.Core, users *usercap.Counter) {
	s := &api{Core: co, watches: newWatchLimiter(co.Config().Limits, users)}
	co.OnReload(func() { s.watches.setLimits(s.Config().Limits) })
	co.Handle("GET /api/v1/clusters/{cluster}/keys", core.OpSpec{Name: "keys.get", Role: core.RoleViewer, Cluster: true}, s.getKeys)
	co.Handle("PUT /api/v1/clusters/{cluster}/keys", core.OpSpec{Name: "keys.put", Role: core.RoleEditor, Cluster: true, Mutating: true}, s.putKey)
	co.Handle("DELETE /api/v1/clusters/{cluster}/keys", core.OpSpec{Name: "keys.delete", Role: core.RoleEditor, Cluster: true, Mutating: true}, s.deleteKeys)
	co.Handle("POST /api/v1/clusters/{cluster}/keys/cas", core.OpSpec{Name: "keys.cas", Role: core.RoleEditor, Cluster: true, Mutating: true}, s.compareAndSwap)
	co.Handle("GET /api/v1/clusters/{cluster}/watch", core.OpSpec{Name: "keys.watch", Role: core.RoleViewer, Cluster: true}, s.watchKeys)
}
