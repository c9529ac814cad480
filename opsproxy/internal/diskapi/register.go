package diskapi

import (
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// api serves the disk-tests area.
type api struct {
	*core.Core
}

// Register adds the disk-test, agent and baseline routes to co. Reads need a viewer; setting a
// baseline needs an admin (the role that runs disk tests) and is audited.
func Register(co *core.Core) {
	s := &api{Core: co}
	co.Handle("GET /api/v1/clusters/{cluster}/disk-agents", core.OpSpec{Name: "disktests.agents.list", Role: core.RoleViewer}, s.listAgents)
	co.Handle("GET /api/v1/disktests", core.OpSpec{Name: "disktests.list", Role: core.RoleViewer}, s.list)
	co.Handle("GET /api/v1/disktests/{id}", core.OpSpec{Name: "disktests.get", Role: core.RoleViewer}, s.get)
	co.Handle("GET /api/v1/disktests/{id}/compare", core.OpSpec{Name: "disktests.compare", Role: core.RoleViewer}, s.compare)
	co.Handle("GET /api/v1/clusters/{cluster}/disk-baselines/{member}", core.OpSpec{Name: "disktests.baseline.get", Role: core.RoleViewer}, s.getBaseline)
	co.Handle("PUT /api/v1/clusters/{cluster}/disk-baselines/{member}", core.OpSpec{Name: "disktests.baseline.set", Role: core.RoleAdmin, Mutating: true}, s.setBaseline)
}
