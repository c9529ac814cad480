package auditquery

import "github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"

// api serves the audit area.
type api struct{ *core.Core }

// Register adds the audit routes to co.
func Register(co *core.Core) {
	s := &api{co}
	co.Handle("GET /api/v1/audit", core.OpSpec{Name: "audit.query", Role: core.RoleViewer}, s.queryAudit)
	co.Handle("GET /api/v1/audit/verify", core.OpSpec{Name: "audit.verify", Role: core.RoleAdmin}, s.verifyAudit)
}
