package opsproxy

import "net/http"

// APIPrefix is where every API route lives.
const APIPrefix = "/api/v1"

// routesInit registers every operation. The OpenAPI file describes exactly these routes.
func (s *Server) routesInit() {
	s.unauthenticated("GET /-/healthy", "healthy", http.HandlerFunc(s.healthy))
	s.unauthenticated("GET /metrics", "metrics", s.metrics.handler())
	s.handle("POST /-/reload", opSpec{name: "server.reload", role: RoleAdmin, mutating: true}, s.reloadConfig)

	s.handle("GET /api/v1/clusters", opSpec{name: "clusters.list", role: RoleViewer}, s.listClusters)

	s.handle("GET /api/v1/clusters/{cluster}/keys", opSpec{name: "keys.get", role: RoleViewer, cluster: true}, s.getKeys)
	s.handle("PUT /api/v1/clusters/{cluster}/keys", opSpec{name: "keys.put", role: RoleEditor, cluster: true, mutating: true}, s.putKey)
	s.handle("DELETE /api/v1/clusters/{cluster}/keys", opSpec{name: "keys.delete", role: RoleEditor, cluster: true, mutating: true}, s.deleteKeys)
	s.handle("POST /api/v1/clusters/{cluster}/keys/cas", opSpec{name: "keys.cas", role: RoleEditor, cluster: true, mutating: true}, s.compareAndSwap)

	s.handle("GET /api/v1/clusters/{cluster}/watch", opSpec{name: "keys.watch", role: RoleViewer, cluster: true}, s.watchKeys)

	s.handle("GET /api/v1/clusters/{cluster}/members", opSpec{name: "members.list", role: RoleViewer, cluster: true}, s.listMembers)
	s.handle("POST /api/v1/clusters/{cluster}/members", opSpec{name: "members.add", role: RoleAdmin, cluster: true, mutating: true}, s.addMember)
	s.handle("POST /api/v1/clusters/{cluster}/members/{id}/promote", opSpec{name: "members.promote", role: RoleAdmin, cluster: true, mutating: true}, s.promoteMember)
	s.handle("DELETE /api/v1/clusters/{cluster}/members/{id}", opSpec{name: "members.remove", role: RoleAdmin, cluster: true, mutating: true}, s.removeMember)
	s.handle("GET /api/v1/clusters/{cluster}/endpoints", opSpec{name: "endpoints.health", role: RoleViewer, cluster: true}, s.endpointHealth)
	s.handle("GET /api/v1/clusters/{cluster}/alarms", opSpec{name: "alarms.list", role: RoleViewer, cluster: true}, s.listAlarms)
	s.handle("DELETE /api/v1/clusters/{cluster}/alarms", opSpec{name: "alarms.disarm", role: RoleAdmin, cluster: true, mutating: true}, s.disarmAlarms)

	s.handle("POST /api/v1/clusters/{cluster}/compact", opSpec{name: "maintenance.compact", role: RoleAdmin, cluster: true, mutating: true}, s.compact)
	s.handle("POST /api/v1/clusters/{cluster}/defragment", opSpec{name: "maintenance.defragment", role: RoleAdmin, cluster: true, mutating: true}, s.defragment)
	s.handle("POST /api/v1/clusters/{cluster}/snapshots", opSpec{name: "snapshots.save", role: RoleAdmin, cluster: true, mutating: true}, s.saveSnapshot)
	s.handle("GET /api/v1/snapshots", opSpec{name: "snapshots.list", role: RoleAdmin}, s.listSnapshots)
	s.handle("GET /api/v1/snapshots/{name}", opSpec{name: "snapshots.status", role: RoleAdmin}, s.snapshotStatus)
	s.handle("POST /api/v1/snapshots/{name}/restore", opSpec{name: "snapshots.restore", role: RoleAdmin, mutating: true}, s.restoreSnapshot)

	s.handle("GET /api/v1/audit", opSpec{name: "audit.query", role: RoleViewer}, s.queryAudit)
	s.handle("GET /api/v1/audit/verify", opSpec{name: "audit.verify", role: RoleAdmin}, s.verifyAudit)

	s.handle("GET /api/v1/tokens", opSpec{name: "tokens.list", role: RoleAdmin}, s.listTokens)
	s.handle("POST /api/v1/tokens", opSpec{name: "tokens.create", role: RoleAdmin, mutating: true}, s.createToken)
	s.handle("DELETE /api/v1/tokens/{id}", opSpec{name: "tokens.revoke", role: RoleAdmin, mutating: true}, s.revokeToken)
}
