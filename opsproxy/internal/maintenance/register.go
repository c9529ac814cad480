package maintenance

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// api serves the maintenance area: compaction, defragmentation and snapshots.
type api struct{ *core.Core }

// Register adds the maintenance routes to co.
func Register(co *core.Core) {
	s := &api{co}
	co.Handle("POST /api/v1/clusters/{cluster}/compact", core.OpSpec{Name: "maintenance.compact", Role: core.RoleAdmin, Cluster: true, Mutating: true}, s.compact)
	co.Handle("POST /api/v1/clusters/{cluster}/defragment", core.OpSpec{Name: "maintenance.defragment", Role: core.RoleAdmin, Cluster: true, Mutating: true}, s.defragment)
	co.Handle("POST /api/v1/clusters/{cluster}/snapshots", core.OpSpec{Name: "snapshots.save", Role: core.RoleAdmin, Cluster: true, Mutating: true}, s.saveSnapshot)
	// Not mutating (nothing changes), but the attempt is committed before the first byte leaves.
	co.Handle("GET /api/v1/clusters/{cluster}/snapshot", core.OpSpec{Name: "snapshots.download", Role: core.RoleAdmin, Cluster: true}, s.downloadSnapshot)
	co.Handle("GET /api/v1/snapshots", core.OpSpec{Name: "snapshots.list", Role: core.RoleAdmin}, s.listSnapshots)
	co.Handle("GET /api/v1/snapshots/{name}", core.OpSpec{Name: "snapshots.status", Role: core.RoleAdmin}, s.snapshotStatus)
	co.Handle("POST /api/v1/snapshots/{name}/restore", core.OpSpec{Name: "snapshots.restore", Role: core.RoleAdmin, Mutating: true}, s.restoreSnapshot)
}
