package cluster

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// api serves the cluster area: the cluster list, membership, endpoint health and alarms.
type api struct{ *core.Core }

// Register adds the cluster routes to co.
func Register(co *core.Core) {
	s := &api{co}
	co.Handle("GET /api/v1/clusters", core.OpSpec{Name: "clusters.list", Role: core.RoleViewer}, s.listClusters)
	co.Handle("GET /api/v1/clusters/{cluster}/members", core.OpSpec{Name: "members.list", Role: core.RoleViewer, Cluster: true}, s.listMembers)
	co.Handle("POST /api/v1/clusters/{cluster}/members", core.OpSpec{Name: "members.add", Role: core.RoleAdmin, Cluster: true, Mutating: true}, s.addMember)
	co.Handle("POST /api/v1/clusters/{cluster}/members/{id}/promote", core.OpSpec{Name: "members.promote", Role: core.RoleAdmin, Cluster: true, Mutating: true}, s.promoteMember)
	co.Handle("DELETE /api/v1/clusters/{cluster}/members/{id}", core.OpSpec{Name: "members.remove", Role: core.RoleAdmin, Cluster: true, Mutating: true}, s.removeMember)
	co.Handle("GET /api/v1/clusters/{cluster}/endpoints", core.OpSpec{Name: "endpoints.health", Role: core.RoleViewer, Cluster: true}, s.endpointHealth)
	co.Handle("GET /api/v1/clusters/{cluster}/alarms", core.OpSpec{Name: "alarms.list", Role: core.RoleViewer, Cluster: true}, s.listAlarms)
	co.Handle("DELETE /api/v1/clusters/{cluster}/alarms", core.OpSpec{Name: "alarms.disarm", Role: core.RoleAdmin, Cluster: true, Mutating: true}, s.disarmAlarms)
}
