package benchapi

import (
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// api serves the benchmarks area.
type api struct {
	*core.Core
}

// Register adds the benchmark, profile and baseline routes to co. Reads need a viewer; setting a
// baseline needs an admin (the role that runs benchmarks) and is audited.
func Register(co *core.Core) {
	s := &api{Core: co}
	co.Handle("GET /api/v1/benchmarks", core.OpSpec{Name: "benchmarks.list", Role: core.RoleViewer}, s.list)
	co.Handle("GET /api/v1/benchmarks/{id}", core.OpSpec{Name: "benchmarks.get", Role: core.RoleViewer}, s.get)
	co.Handle("GET /api/v1/benchmarks/{id}/compare", core.OpSpec{Name: "benchmarks.compare", Role: core.RoleViewer}, s.compare)
	co.Handle("GET /api/v1/clusters/{cluster}/benchmark-profiles", core.OpSpec{Name: "benchmarks.profiles.list", Role: core.RoleViewer}, s.listProfiles)
	co.Handle("GET /api/v1/clusters/{cluster}/baselines/{name}", core.OpSpec{Name: "benchmarks.baseline.get", Role: core.RoleViewer}, s.getBaseline)
	co.Handle("PUT /api/v1/clusters/{cluster}/baselines/{name}", core.OpSpec{Name: "benchmarks.baseline.set", Role: core.RoleAdmin, Mutating: true}, s.setBaseline)
}
