package opsproxy

// APIPrefix is where every API route lives.
const APIPrefix = "/api/v1"

// routesInit registers every operation. The OpenAPI file describes exactly these routes.
func (s *Server) routesInit() {
	s.mux.HandleFunc("GET /-/healthy", s.healthy)

	s.handle("GET /api/v1/clusters", opSpec{name: "clusters.list", role: RoleViewer}, s.listClusters)

	s.handle("GET /api/v1/clusters/{cluster}/keys", opSpec{name: "keys.get", role: RoleViewer, cluster: true}, s.getKeys)
	s.handle("PUT /api/v1/clusters/{cluster}/keys", opSpec{name: "keys.put", role: RoleEditor, cluster: true, mutating: true}, s.putKey)
	s.handle("DELETE /api/v1/clusters/{cluster}/keys", opSpec{name: "keys.delete", role: RoleEditor, cluster: true, mutating: true}, s.deleteKeys)
	s.handle("POST /api/v1/clusters/{cluster}/keys/cas", opSpec{name: "keys.cas", role: RoleEditor, cluster: true, mutating: true}, s.compareAndSwap)

	s.handle("GET /api/v1/tokens", opSpec{name: "tokens.list", role: RoleAdmin}, s.listTokens)
	s.handle("POST /api/v1/tokens", opSpec{name: "tokens.create", role: RoleAdmin, mutating: true}, s.createToken)
	s.handle("DELETE /api/v1/tokens/{id}", opSpec{name: "tokens.revoke", role: RoleAdmin, mutating: true}, s.revokeToken)
}
