package opsproxy

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apidoc"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditquery"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/backupapi"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/benchapi"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/cluster"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/completion"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/console"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/consolehistory"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskapi"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobsapi"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/keys"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/maintenance"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/tokens"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/ui"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/whoami"
)

// APIPrefix is where every API route lives.
const APIPrefix = "/api/v1"

// registerRoutes registers the server's own routes and every API area's. The OpenAPI file
// describes exactly these routes; a new area is a new package registering itself here.
func (s *Server) registerRoutes() {
	co := s.core
	co.Unauthenticated("GET /-/healthy", "healthy", http.HandlerFunc(s.healthy))
	co.Unauthenticated("GET /-/ready", "ready", http.HandlerFunc(s.ready))
	co.Unauthenticated("GET /metrics", "metrics", co.Metrics.Handler())
	apidoc.Register(co, openAPISpec)
	co.Handle("POST /-/reload", core.OpSpec{Name: "server.reload", Role: core.RoleAdmin, Mutating: true}, s.reloadConfig)
	cluster.Register(co)
	keys.Register(co, s.openWatches)
	maintenance.Register(co)
	auditquery.Register(co, s.auditLog)
	tokens.Register(co)
	whoami.Register(co)
	ui.Register(co)
	jobsapi.Register(co, s.jobs, s.openJobEvents)
	console.Register(co, s.jobs, s.openWatches)
	consolehistory.Register(co)
	completion.Register(co)
	benchapi.Register(co)
	diskapi.Register(co)
	backupapi.Register(co, backupapi.ConfigSource(co))
}
