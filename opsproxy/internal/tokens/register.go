package tokens

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// api serves the tokens area.
type api struct{ *core.Core }

// Register adds the token routes to co.
func Register(co *core.Core) {
	s := &api{co}
	co.Handle("GET /api/v1/tokens", core.OpSpec{Name: "tokens.list", Role: core.RoleAdmin}, s.listTokens)
	co.Handle("POST /api/v1/tokens", core.OpSpec{Name: "tokens.create", Role: core.RoleAdmin, Mutating: true}, s.createToken)
	co.Handle("DELETE /api/v1/tokens/{id}", core.OpSpec{Name: "tokens.revoke", Role: core.RoleAdmin, Mutating: true}, s.revokeToken)
}
