package opsproxy

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// A reload (SIGHUP or POST /-/reload) re-reads the configuration file and applies, without
// dropping a request:
//
//   - clusters: an added cluster is connected; a removed one, and one whose entry, named files
//     (TLS, password) or connection limits changed, is taken out of service at once (its open
//     watches end; clients resume with Last-Event-ID) and its client is closed when the last
//     request using it ends; a changed one gets a new connection; the others keep theirs;
//   - limits, audit.retention (applied at once, then hourly), watch.progress_interval,
//     maintenance.health_timeout and maintenance.defrag_timeout.
//
// The other settings are read once at start; a file that changes one of them is refused as a
// whole with an error naming the field, as is a file that does not load. The running
// configuration then stays. The listen address and TLS come from flags, not from the file
// (exporter-toolkit reads --web.config.file again for every TLS connection).

// serverState is what a reload replaces: the configuration and the cluster connections made
// from it. Neither is changed once published; requests read it through Server.state.
type serverState struct {
	cfg      *Config
	clusters map[string]*clusterConn
}

// config is the configuration being served.
func (s *Server) config() *Config { return s.state.Load().cfg }

// restartOnly are the settings a reload may not change: the store, the authenticator and the
// audit writer are made once at start, and moving the snapshot or restore directory would hide
// the files already there. Values are never shown, as the DSN may carry a password.
var restartOnly = []struct {
	field string
	get   func(*Config) any
}{
	{"store.dsn", func(c *Config) any { return c.Store.DSN }},
	{"store.schema", func(c *Config) any { return c.Store.Schema }},
	{"store.path", func(c *Config) any { return c.Store.Path }},
	{"auth.bootstrap_token_file", func(c *Config) any { return c.Auth.BootstrapTokenFile }},
	{"auth.token_cache_ttl", func(c *Config) any { return c.Auth.TokenCacheTTL }},
	{"auth.grafana.user_header", func(c *Config) any { return c.Auth.Grafana.UserHeader }},
	{"auth.grafana.role_header", func(c *Config) any { return c.Auth.Grafana.RoleHeader }},
	{"audit.max_batch", func(c *Config) any { return c.Audit.MaxBatch }},
	{"audit.commit_timeout", func(c *Config) any { return c.Audit.CommitTimeout }},
	{"maintenance.snapshot_dir", func(c *Config) any { return c.Maintenance.SnapshotDir }},
	{"maintenance.restore_dir", func(c *Config) any { return c.Maintenance.RestoreDir }},
}

// checkRestartOnly refuses a new configuration that changes a setting only a restart applies.
func checkRestartOnly(old, cfg *Config) error {
	for _, f := range restartOnly {
		if !reflect.DeepEqual(f.get(old), f.get(cfg)) {
			return fmt.Errorf("%s: changed, but only a restart applies it (restart opsproxy, or put back the running value)", f.field)
		}
	}
	return nil
}

// ReloadResult names the clusters a reload added, removed and changed (connected anew).
type ReloadResult struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
}

// connectClusters makes the connections of cfg's clusters, keeping those of old that are the
// same (see clusterConn.sameAs). On error, the connections it made are closed and the error
// names the cluster.
func connectClusters(cfg *Config, old map[string]*clusterConn, logger *slog.Logger) (map[string]*clusterConn, ReloadResult, error) {
	res := ReloadResult{Added: []string{}, Removed: []string{}, Changed: []string{}}
	conns := make(map[string]*clusterConn, len(cfg.Clusters))
	var made []*clusterConn
	for i, cl := range cfg.Clusters {
		if prev, ok := old[cl.Name]; ok && prev.sameAs(cl, cfg.Limits) {
			conns[cl.Name] = prev
			continue
		}
		conn, err := newClusterConn(cl, cfg.Limits, logger)
		if err != nil {
			for _, c := range made {
				c.close()
			}
			return nil, res, fmt.Errorf("clusters[%d]: %w", i, err)
		}
		made = append(made, conn)
		conns[cl.Name] = conn
		if _, ok := old[cl.Name]; ok {
			res.Changed = append(res.Changed, cl.Name)
		} else {
			res.Added = append(res.Added, cl.Name)
		}
	}
	for name := range old {
		if _, ok := conns[name]; !ok {
			res.Removed = append(res.Removed, name)
		}
	}
	slices.Sort(res.Removed)
	return conns, res, nil
}

// fileDigest is the sha256 of the content of the files a cluster entry names (a file that
// cannot be read counts by its error), so that a reload sees a rotated certificate or password.
func fileDigest(cfg clusterconfig.Cluster) [sha256.Size]byte {
	h := sha256.New()
	for _, path := range []string{cfg.TLS.CAFile, cfg.TLS.CertFile, cfg.TLS.KeyFile, cfg.PasswordFile} {
		fmt.Fprintf(h, "%d:%s\n", len(path), path)
		if path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(h, "error: %v\n", err)
			continue
		}
		sum := sha256.Sum256(b)
		h.Write(sum[:])
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// Reload re-reads the configuration file and applies it (see the top of this file). A file
// that does not load, or that changes a setting only a restart applies, leaves the running
// configuration in place; the error names the field. The outcome is logged and shown by
// /-/healthy as config_last_reload_successful.
func (s *Server) Reload() (ReloadResult, error) {
	res, err := s.reload()
	if err != nil {
		s.reloadStatus.Store(&reloadStatus{ok: false, lastSuccess: s.reloadStatus.Load().lastSuccess})
		s.logger.Error("reload failed; keeping the running configuration", "file", s.configFile, "err", err)
		return res, err
	}
	s.reloadStatus.Store(&reloadStatus{ok: true, lastSuccess: time.Now()})
	s.logger.Info("configuration reloaded", "file", s.configFile, "clusters", len(s.state.Load().clusters),
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
	old := s.state.Load()
	if err := checkRestartOnly(old.cfg, cfg); err != nil {
		return ReloadResult{}, err
	}
	conns, res, err := connectClusters(cfg, old.clusters, s.logger)
	if err != nil {
		return ReloadResult{}, err
	}
	s.state.Store(&serverState{cfg: cfg, clusters: conns})
	s.watches.setMax(cfg.Limits.MaxWatchesPerUser)
	select {
	case s.pruneWake <- struct{}{}:
	default:
	}
	s.retired = slices.DeleteFunc(s.retired, (*clusterConn).isClosed)
	for name, conn := range old.clusters {
		if conns[name] != conn {
			s.retired = append(s.retired, conn)
			conn.retire()
		}
	}
	return res, nil
}

// reloadStatus is the outcome of the last reload; New counts as a successful one.
type reloadStatus struct {
	ok          bool
	lastSuccess time.Time
}

// reloadConfig is POST /-/reload. It needs an admin token of all clusters, as it may add or
// remove any cluster; it is audited as server.reload like any mutation.
func (s *Server) reloadConfig(c *opCall) (any, error) {
	if scope := c.p.token.Clusters; len(scope) > 0 {
		return nil, deniedf("token %s is limited to %s: reloading the configuration needs a token of all clusters",
			c.p.token.ID, strings.Join(scope, ", "))
	}
	if err := c.commitIntent(); err != nil {
		return nil, err
	}
	res, err := s.Reload()
	if err != nil {
		return nil, &apiError{status: http.StatusInternalServerError, msg: "reload failed, the running configuration stays: " + err.Error(), err: err}
	}
	return map[string]any{"status": "reloaded", "clusters": res}, nil
}

// reloadOnSignal reloads on SIGHUP and audits it as server.reload by the user "system" from
// "SIGHUP", with a request id of its own that the log lines carry too.
func (s *Server) reloadOnSignal() {
	start := time.Now()
	id := newRequestID()
	s.logger.Info("SIGHUP: reloading the configuration", "request_id", id, "file", s.configFile)
	_, err := s.Reload()
	rec := store.AuditRecord{Time: start, RequestID: id, User: "system", Source: "SIGHUP", Operation: "server.reload",
		Outcome: store.OutcomeSucceeded, Duration: time.Since(start)}
	if err != nil {
		rec.Outcome, rec.Error = store.OutcomeFailed, "reload failed, the running configuration stays: "+err.Error()
	}
	_ = s.audit.append(context.Background(), rec)
}

// connLife tracks a cluster connection across reloads: uses counts the requests using it, plus
// one while it is served; retired ends when a reload takes it out of service, which ends its
// open watches. A retired connection is closed when its last use ends.
type connLife struct {
	uses    atomic.Int64
	retired context.Context
	retire  context.CancelFunc
}

// init makes a served connection: one use, for being served.
func (l *connLife) init() {
	l.uses.Store(1)
	l.retired, l.retire = context.WithCancel(context.Background())
}

// acquire takes a use of the connection for a request; false once it is retired and its last
// use has ended (it is then closed).
func (c *clusterConn) acquire() bool {
	for {
		n := c.life.uses.Load()
		if n <= 0 {
			return false
		}
		if c.life.uses.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release gives a use back, and closes the connection when it was the last use of a retired
// one.
func (c *clusterConn) release() {
	if c.life.uses.Add(-1) == 0 {
		go c.close()
	}
}

// retire takes the connection out of service: its watches end now, its client is closed when
// the requests using it end.
func (c *clusterConn) retire() {
	c.life.retire()
	c.release()
}

func (c *clusterConn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// clusterFor returns the connection of the named cluster in the served configuration. Within a
// request (ctx carries its requestState) the connection is kept open until the request ends,
// even when a reload retires it meanwhile.
func (s *Server) clusterFor(ctx context.Context, name string) (*clusterConn, bool) {
	rs := stateOf(ctx)
	for {
		conn, ok := s.state.Load().clusters[name]
		if !ok || rs == nil {
			return conn, ok
		}
		if conn.acquire() {
			rs.conns = append(rs.conns, conn)
			return conn, true
		}
		// Retired and closed since the load: the next load sees the configuration that
		// replaced it.
	}
}

// release gives back the cluster connections the request used.
func (rs *requestState) release() {
	for _, c := range rs.conns {
		c.release()
	}
	rs.conns = nil
}
