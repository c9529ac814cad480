package auditquery

import (
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// api serves the audit area.
type api struct {
	*core.Core
	log *auditlog.Log
}

// Register adds the audit routes to co; verification checks log (and its checkpoints when it
// is sealed).
func Register(co *core.Core, log *auditlog.Log) {
	s := &api{Core: co, log: log}
	co.Handle("GET /api/v1/audit", core.OpSpec{Name: "audit.query", Role: core.RoleViewer}, s.queryAudit)
	co.Handle("GET /api/v1/audit/verify", core.OpSpec{Name: "audit.verify", Role: core.RoleAdmin}, s.verifyAudit)
}
