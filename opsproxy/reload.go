package opsproxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// A reload (SIGHUP or POST /-/reload) re-reads the configuration file and applies, without
// dropping a request:
//
//   - clusters: an added cluster is connected; a removed one, and one whose entry, named files
//     (TLS, password) or connection limits changed, is taken out of service at once (its open
//     watches end; clients resume with Last-Event-ID) and its client is closed when the last
//     request using it ends; a changed one gets a new connection; the others keep theirs;
//   - limits, audit.retention (applied at once, then hourly), watch.progress_interval,
//     maintenance.health_timeout, maintenance.defrag_timeout, auth.trusted_proxies and
//     auth.failure_audit_interval (from the next interval on).
//
// The other settings are read once at start; a file that changes one of them is refused as a
// whole with an error naming the field, as is a file that does not load. The running
// configuration then stays. The listen address and TLS come from flags, not from the file
// (exporter-toolkit reads --web.config.file again for every TLS connection).

// restartOnly are the settings a reload may not change: the store, the authenticator, the
// audit writer, the job queue and its workers are made once at start, and moving the snapshot,
// restore or shared directory would hide the files already there. Values are never shown, as
// the DSN and the Redis URL may carry a password.
var restartOnly = []struct {
	field string
	get   func(*Config) any
}{
	{"store.dsn", func(c *Config) any { return c.Store.DSN }},
	{"store.schema", func(c *Config) any { return c.Store.Schema }},
	{"store.path", func(c *Config) any { return c.Store.Path }},
	{"auth.bootstrap_token_file", func(c *Config) any { return c.Auth.BootstrapTokenFile }},
	{"auth.token_cache_ttl", func(c *Config) any { return c.Auth.TokenCacheTTL }},
	{"auth.token_cache_max_stale", func(c *Config) any { return c.Auth.TokenCacheMaxStale }},
	{"auth.grafana.user_header", func(c *Config) any { return c.Auth.Grafana.UserHeader }},
	{"auth.grafana.role_header", func(c *Config) any { return c.Auth.Grafana.RoleHeader }},
	{"audit.max_batch", func(c *Config) any { return c.Audit.MaxBatch }},
	{"audit.commit_timeout", func(c *Config) any { return c.Audit.CommitTimeout }},
	{"audit.signing_key_file", func(c *Config) any { return c.Audit.Seal.SigningKeyFile }},
	{"audit.witness", func(c *Config) any { return c.Audit.Seal.Witness }},
	{"audit.spool_dir", func(c *Config) any { return c.Audit.SpoolDir }},
	{"audit.spool_max_bytes", func(c *Config) any { return c.Audit.SpoolMaxBytes }},
	{"maintenance.snapshot_dir", func(c *Config) any { return c.Maintenance.SnapshotDir }},
	{"maintenance.restore_dir", func(c *Config) any { return c.Maintenance.RestoreDir }},
	{"queue.redis_url", func(c *Config) any { return c.Queue.RedisURL }},
	{"queue.stream", func(c *Config) any { return c.Queue.Stream }},
	{"queue.group", func(c *Config) any { return c.Queue.Group }},
	{"queue.visibility_timeout", func(c *Config) any { return c.Queue.VisibilityTimeout }},
	{"queue.max_attempts", func(c *Config) any { return c.Queue.MaxAttempts }},
	{"queue.workers", func(c *Config) any { return c.Queue.WorkerCount() }},
	{"queue.scheduler", func(c *Config) any { return c.Queue.SchedulerOn() }},
	{"queue.schedule_interval", func(c *Config) any { return c.Queue.ScheduleInterval }},
}

// ReloadResult names the clusters a reload added, removed and changed (connected anew).
type ReloadResult = conns.ReloadResult

// checkRestartOnly refuses a new configuration that changes a setting only a restart applies.
func checkRestartOnly(old, cfg *Config) error {
	for _, f := range restartOnly {
		if !reflect.DeepEqual(f.get(old), f.get(cfg)) {
			return fmt.Errorf("%s: changed, but only a restart applies it (restart opsproxy, or put back the running value)", f.field)
		}
	}
	return nil
}

// Reload re-reads the configuration file and applies it (see the top of this file). A file
// that does not load, or that changes a setting only a restart applies, leaves the running
// configuration in place; the error names the field. The outcome is logged and shown by
// /-/healthy as config_last_reload_successful.
func (s *Server) Reload() (ReloadResult, error) {
	res, err := s.reload()
	if err != nil {
		s.reloadStatus.Store(&core.ReloadStatus{OK: false, LastSuccess: s.reloadStatus.Load().LastSuccess})
		s.logger.Error("reload failed; keeping the running configuration", "file", s.configFile, "err", err)
		return res, err
	}
	s.reloadStatus.Store(&core.ReloadStatus{OK: true, LastSuccess: time.Now()})
	s.logger.Info("configuration reloaded", "file", s.configFile, "clusters", len(s.core.State().Clusters),
		"added", res.Added, "removed", res.Removed, "changed", res.Changed)
	return res, nil
}

func (s *Server) reload() (ReloadResult, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if s.closed {
		return ReloadResult{}, errors.New("the server is shutting down")
	}
	if s.configFile == "" {
		return ReloadResult{}, errors.New("no configuration file to reload: the server was configured in code")
	}
	cfg, err := LoadConfig(s.configFile)
	if err != nil {
		return ReloadResult{}, err
	}
	old := s.core.State()
	if err := checkRestartOnly(old.Cfg, cfg); err != nil {
		return ReloadResult{}, err
	}
	clusters, res, err := conns.Connect(cfg, old.Clusters, s.logger)
	if err != nil {
		return ReloadResult{}, err
	}
	s.core.SetState(&core.State{Cfg: cfg, Clusters: clusters})
	s.core.Reloaded()
	select {
	case s.pruneWake <- struct{}{}:
	default:
	}
	s.retired = slices.DeleteFunc(s.retired, (*conns.Conn).IsClosed)
	for name, conn := range old.Clusters {
		if clusters[name] != conn {
			s.retired = append(s.retired, conn)
			conn.Retire()
		}
	}
	return res, nil
}

// reloadConfig is POST /-/reload. It needs an admin token of all clusters, as it may add or
// remove any cluster; it is audited as server.reload like any mutation.
func (s *Server) reloadConfig(c *core.Call) (any, error) {
	if scope := c.P.Token.Clusters; len(scope) > 0 {
		return nil, apihttp.Deniedf("token %s is limited to %s: reloading the configuration needs a token of all clusters",
			c.P.Token.ID, strings.Join(scope, ", "))
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	res, err := s.Reload()
	if err != nil {
		return nil, apihttp.Wrap(http.StatusInternalServerError, "reload failed, the running configuration stays: "+err.Error(), err)
	}
	return map[string]any{"status": "reloaded", "clusters": res}, nil
}

// reloadOnSignal reloads on SIGHUP and audits it as server.reload by the user "system" from
// "SIGHUP", with a request id of its own that the log lines carry too.
func (s *Server) reloadOnSignal() {
	start := time.Now()
	id := apihttp.NewRequestID()
	s.logger.Info("SIGHUP: reloading the configuration", "request_id", id, "file", s.configFile)
	_, err := s.Reload()
	rec := store.AuditRecord{Time: start, RequestID: id, User: "system", Source: "SIGHUP", Operation: "server.reload",
		Outcome: store.OutcomeSucceeded, Duration: time.Since(start)}
	if err != nil {
		rec.Outcome, rec.Error = store.OutcomeFailed, "reload failed, the running configuration stays: "+err.Error()
	}
	_ = s.core.Audit.Append(context.Background(), rec)
}
