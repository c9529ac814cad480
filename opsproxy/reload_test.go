package opsproxy

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// entry is a cluster entry of the configuration file with the given request timeout.
func entry(name string, c *embedetcd.Cluster, requestTimeout string) string {
	return strings.Replace(clusterEntry(name, c), "request_timeout: 5s", "request_timeout: "+requestTimeout, 1)
}

// rewrite replaces the server's configuration file.
func (e *env) rewrite(t *testing.T, clusters, extra string) {
	t.Helper()
	writeConfig(t, e.configDir, clusters, extra)
}

type reloadAnswer struct {
	Status   string
	Clusters ReloadResult
}

// reload posts /-/reload with the admin token and returns the answer.
func (e *env) reload(t *testing.T) (response, reloadAnswer) {
	t.Helper()
	r := e.call(t, "POST", "/-/reload", e.admin, nil)
	var a reloadAnswer
	if r.status == 200 {
		r.json(t, &a)
	}
	return r, a
}

func (e *env) conn(name string) *conns.Conn { return e.srv.core.State().Clusters[name] }

type healthAnswer struct {
	Status                      string
	ConfigLastReloadSuccessful  bool   `json:"config_last_reload_successful"`
	ConfigLastReloadSuccessTime string `json:"config_last_reload_success_time"`
}

func (e *env) health(t *testing.T) healthAnswer {
	t.Helper()
	r := e.call(t, "GET", "/-/healthy", "", nil)
	var h healthAnswer
	r.json(t, &h)
	if r.status != 200 || h.Status != "ok" {
		t.Fatalf("/-/healthy: %d %s", r.status, r.body)
	}
	return h
}

// eventually waits until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A reload connects an added cluster, connects a changed one anew and closes its old client,
// stops serving a removed one, and leaves an unchanged one alone; it is audited.
func TestReloadAddsChangesAndRemovesClustersAndKeepsTheOthers(t *testing.T) {
	second := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{})
	c1 := e.conn("c1")
	key := url.QueryEscape(uniquePrefix(t) + "k")

	e.rewrite(t, entry("c1", e.etcd, "5s")+entry("c2", second.Cluster, "5s"), "")
	r, a := e.reload(t)
	if r.status != 200 || a.Status != "reloaded" || !slices.Equal(a.Clusters.Added, []string{"c2"}) ||
		len(a.Clusters.Removed)+len(a.Clusters.Changed) != 0 {
		t.Fatalf("adding c2: %d %s", r.status, r.body)
	}
	if e.conn("c1") != c1 {
		t.Error("reload replaced the connection of the unchanged cluster c1")
	}
	if g := e.call(t, "GET", "/api/v1/clusters/c2/keys?key="+key, e.admin, nil); g.status != 200 {
		t.Fatalf("get on the added cluster: %d %s", g.status, g.body)
	}
	recs := e.audit(t, r.header.Get(RequestIDHeader), 2)
	if recs[0].Operation != "server.reload" || recs[0].Outcome != store.OutcomeAttempted || recs[1].Outcome != store.OutcomeSucceeded ||
		recs[1].User != "test-admin" {
		t.Fatalf("audit records of the reload: %+v", recs)
	}

	c2 := e.conn("c2")
	e.rewrite(t, entry("c1", e.etcd, "5s")+entry("c2", second.Cluster, "7s"), "")
	if r, a := e.reload(t); r.status != 200 || !slices.Equal(a.Clusters.Changed, []string{"c2"}) {
		t.Fatalf("changing c2: %d %s", r.status, r.body)
	}
	if e.conn("c2") == c2 || time.Duration(e.conn("c2").Config().RequestTimeout) != 7*time.Second {
		t.Fatal("changed cluster c2 kept its old connection")
	}
	eventually(t, "old client of the changed cluster closed", c2.IsClosed)
	if g := e.call(t, "GET", "/api/v1/clusters/c2/keys?key="+key, e.admin, nil); g.status != 200 {
		t.Fatalf("get on the changed cluster: %d %s", g.status, g.body)
	}

	c2 = e.conn("c2")
	e.rewrite(t, entry("c1", e.etcd, "5s"), "")
	if r, a := e.reload(t); r.status != 200 || !slices.Equal(a.Clusters.Removed, []string{"c2"}) {
		t.Fatalf("removing c2: %d %s", r.status, r.body)
	}
	eventually(t, "client of the removed cluster closed", c2.IsClosed)
	if g := e.call(t, "GET", "/api/v1/clusters/c2/keys?key="+key, e.admin, nil); g.status != 404 || !strings.Contains(g.errorText(t), `no cluster "c2"`) {
		t.Fatalf("get on the removed cluster: %d %s", g.status, g.body)
	}
	if e.conn("c1") != c1 || c1.IsClosed() {
		t.Fatal("the unchanged cluster c1 lost its connection")
	}
	if h := e.health(t); !h.ConfigLastReloadSuccessful {
		t.Fatalf("health after good reloads: %+v", h)
	}
	if !strings.Contains(e.log.String(), "configuration reloaded") {
		t.Errorf("no log line for the reload:\n%s", e.log)
	}
}

// A file that does not load, that changes a setting only a restart applies, or that names a
// file that cannot be read, is refused with the field named; the running configuration stays
// and /-/healthy says the last reload failed, until a good one.
func TestReloadKeepsTheRunningConfigurationWhenTheFileIsRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	c1 := entry("c1", e.etcd, "5s")
	cases := []struct {
		name, clusters, extra, want string
	}{
		{"invalid cluster", c1 + "  - name: broken\n    endpoints: []\n", "", "clusters[1].endpoints: must not be empty"},
		{"unknown field", c1, "limits:\n  max_watches: 3\n", "field max_watches not found"},
		{"invalid limit", c1, "limits:\n  max_watches_per_user: 0\n", "limits.max_watches_per_user: must be greater than 0"},
		{"store", c1, "store:\n  dsn: postgres://etcd_monitor:s3cret-pw@127.0.0.1/x\n", "store.dsn: changed, but only a restart applies it"},
		{"store path", c1, "store:\n  path: /tmp/elsewhere.db\n", "store.path: changed, but only a restart applies it"},
		{"bootstrap token file", c1, "auth:\n  bootstrap_token_file: /tmp/token\n", "auth.bootstrap_token_file: changed, but only a restart applies it"},
		{"grafana header", c1, "auth:\n  grafana:\n    user_header: X-User\n", "auth.grafana.user_header: changed, but only a restart applies it"},
		{"audit batch", c1, "audit:\n  max_batch: 10\n", "audit.max_batch: changed, but only a restart applies it"},
		{"queue", c1, "queue:\n  redis_url: redis://:s3cret-pw@127.0.0.1:6379/0\n", "queue.redis_url: changed, but only a restart applies it"},
		{"queue workers", c1, "queue:\n  workers: 7\n", "queue.workers: changed, but only a restart applies it"},
		{"queue scheduler", c1, "queue:\n  scheduler: false\n", "queue.scheduler: changed, but only a restart applies it"},
		{"queue schedule interval", c1, "queue:\n  schedule_interval: 30s\n", "queue.schedule_interval: changed, but only a restart applies it"},
		{"unreadable TLS file", c1 + "  - name: tls\n    endpoints: [https://127.0.0.1:1]\n    tls:\n      ca_file: /nonexistent/ca.pem\n", "",
			"clusters[1].tls.ca_file: /nonexistent/ca.pem: no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.rewrite(t, c.clusters, c.extra)
			r, _ := e.reload(t)
			if r.status != 500 || !strings.Contains(r.errorText(t), c.want) {
				t.Fatalf("status %d %s, want 500 with %q", r.status, r.body, c.want)
			}
			if strings.Contains(string(r.body), "s3cret-pw") || strings.Contains(e.log.String(), "s3cret-pw") {
				t.Fatal("the DSN password is shown")
			}
			recs := e.audit(t, r.header.Get(RequestIDHeader), 2)
			if last := recs[len(recs)-1]; last.Outcome != store.OutcomeFailed || !strings.Contains(last.Error, c.want) {
				t.Fatalf("audit record %+v, want failed with %q", last, c.want)
			}
			if h := e.health(t); h.ConfigLastReloadSuccessful {
				t.Fatalf("health after a refused reload: %+v", h)
			}
			if names := clusterNames(e); !slices.Equal(names, []string{"c1"}) {
				t.Fatalf("clusters after a refused reload: %v", names)
			}
			if g := e.call(t, "GET", "/api/v1/clusters/c1/keys?key=/x", e.admin, nil); g.status != 200 {
				t.Fatalf("get after a refused reload: %d %s", g.status, g.body)
			}
		})
	}
	if !strings.Contains(e.log.String(), "reload failed; keeping the running configuration") {
		t.Errorf("no log line for the refused reloads:\n%s", e.log)
	}
	before := e.health(t).ConfigLastReloadSuccessTime
	time.Sleep(1100 * time.Millisecond)
	e.rewrite(t, c1, "")
	if r, _ := e.reload(t); r.status != 200 {
		t.Fatalf("good reload: %d %s", r.status, r.body)
	}
	if h := e.health(t); !h.ConfigLastReloadSuccessful || h.ConfigLastReloadSuccessTime == before {
		t.Fatalf("health after a good reload: %+v (before %s)", h, before)
	}
}

func clusterNames(e *env) []string {
	var names []string
	for name := range e.srv.core.State().Clusters {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Only POST is accepted, with an admin token of all clusters; refusals are audited.
func TestReloadNeedsPOSTAndAnAdminTokenOfAllClusters(t *testing.T) {
	e := newEnv(t, envOptions{})
	editor := e.token(t, TokenSpec{Name: "eddie", Role: "editor"})
	scoped := e.token(t, TokenSpec{Name: "scoped-admin", Role: "admin", Clusters: []string{"c1"}})
	r := e.call(t, "GET", "/-/reload", e.admin, nil)
	if r.status != 405 || r.header.Get("Allow") != "POST" || !strings.Contains(r.errorText(t), "method GET not allowed") {
		t.Fatalf("GET /-/reload: %d %s (Allow %q)", r.status, r.body, r.header.Get("Allow"))
	}
	if r := e.call(t, "POST", "/-/reload", "", nil); r.status != 401 {
		t.Fatalf("without a token: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ name, token, want string }{
		{"editor", editor, "role editor may not server reload: needs admin"},
		{"admin of one cluster", scoped, "reloading the configuration needs a token of all clusters"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "POST", "/-/reload", c.token, nil)
			if r.status != 403 || !strings.Contains(r.errorText(t), c.want) {
				t.Fatalf("status %d %s, want 403 with %q", r.status, r.body, c.want)
			}
			if recs := e.audit(t, r.header.Get(RequestIDHeader), 1); recs[0].Outcome != store.OutcomeDenied || recs[0].Operation != "server.reload" {
				t.Fatalf("audit records %+v", recs)
			}
		})
	}
	if r, _ := e.reload(t); r.status != 200 {
		t.Fatalf("admin: %d %s", r.status, r.body)
	}
}

// Limits, audit retention and the watch progress interval take effect at the reload.
func TestReloadAppliesLimitsAndAuditRetention(t *testing.T) {
	e := newEnv(t, envOptions{})
	oldIDs := appendOld(t, e.store, time.Now().Add(-10*24*time.Hour), 3)
	c1 := entry("c1", e.etcd, "5s")
	p := uniquePrefix(t)
	if r := e.call(t, "GET", keysPath("key", p, "prefix", "true", "limit", "5000"), e.admin, nil); r.status != 200 {
		t.Fatalf("limit 5000 before the reload: %d %s", r.status, r.body)
	}
	e.rewrite(t, c1, "limits:\n  default_range_limit: 10\n  max_range_limit: 100\n  max_watches_per_user: 1\naudit:\n  retention: 1d\nwatch:\n  progress_interval: 1s\n")
	if r, a := e.reload(t); r.status != 200 || len(a.Clusters.Changed) != 0 {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	if r := e.call(t, "GET", keysPath("key", p, "prefix", "true", "limit", "5000"), e.admin, nil); r.status != 400 || !strings.Contains(r.errorText(t), "limit: at most 100") {
		t.Fatalf("limit 5000 after lowering max_range_limit: %d %s", r.status, r.body)
	}
	if got := time.Duration(e.srv.config().Watch.ProgressInterval); got != time.Second {
		t.Fatalf("progress interval %s after the reload", got)
	}
	s, r := e.watch(t, e.admin, "key="+url.QueryEscape(p)+"&prefix=true")
	if r.status != 200 {
		t.Fatalf("first watch: %d %s", r.status, r.body)
	}
	defer s.close()
	if _, r := e.watch(t, e.admin, "key="+url.QueryEscape(p)+"&prefix=true"); r.status != 429 {
		t.Fatalf("second watch with max_watches_per_user 1: %d %s", r.status, r.body)
	}
	eventually(t, "old audit records pruned after retention was set", func() bool {
		for _, rec := range e.allAudit(t) {
			if slices.Contains(oldIDs, rec.RequestID) {
				return false
			}
		}
		return true
	})
	verifyOK(t, e)
}

// Requests that took a cluster's connection before a reload retired it keep it until they end:
// its client is closed only then, its open watches end at the reload.
func TestRetiredClusterIsClosedOnlyAfterItsRequestsEnd(t *testing.T) {
	own := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{cluster: own.Cluster})
	p := uniquePrefix(t)
	s, r := e.watch(t, e.admin, "key="+url.QueryEscape(p)+"&prefix=true")
	if r.status != 200 {
		t.Fatalf("watch: %d %s", r.status, r.body)
	}
	defer s.close()
	// A request in flight: it has taken the connection, as useCluster does.
	ctx, endInFlight := apihttp.NewRequestContext(context.Background(), "in-flight")
	old, ok := e.srv.core.ClusterFor(ctx, "c1")
	if !ok {
		t.Fatal("no cluster c1")
	}
	cli, err := old.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}

	e.rewrite(t, entry("c1", own.Cluster, "6s"), "")
	if r, a := e.reload(t); r.status != 200 || !slices.Equal(a.Clusters.Changed, []string{"c1"}) {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	ended := time.After(10 * time.Second)
	for done := false; !done; {
		select {
		case _, open := <-s.events:
			done = !open
		case <-ended:
			t.Fatal("the watch on the retired connection did not end")
		}
	}
	time.Sleep(100 * time.Millisecond)
	if old.IsClosed() {
		t.Fatal("the retired connection was closed while a request still used it")
	}
	if _, err := cli.Put(ctx, p+"k", "v"); err != nil {
		t.Fatalf("the request's client no longer works after the reload: %v", err)
	}
	if g := e.call(t, "GET", "/api/v1/clusters/c1/keys?key="+url.QueryEscape(p+"k"), e.admin, nil); g.status != 200 {
		t.Fatalf("a new request after the reload: %d %s", g.status, g.body)
	}
	endInFlight()
	eventually(t, "retired connection closed after its last request", old.IsClosed)
	if e.conn("c1").IsClosed() {
		t.Fatal("the new connection was closed")
	}
}

// Requests running while the configuration is reloaded over and over are all answered as if
// nothing happened: none meets a closed client (run with -race).
func TestReloadsUnderLoadFailNoRequest(t *testing.T) {
	second := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	config := func(i int) string {
		return entry("c1", e.etcd, "5s") + entry("c2", second.Cluster, fmt.Sprintf("%ds", 5+i%2))
	}
	e.rewrite(t, config(0), "")
	if r, _ := e.reload(t); r.status != 200 {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	var answered int
	for w := range 8 {
		wg.Go(func() {
			cluster := []string{"c1", "c2"}[w%2]
			for i := 0; ctx.Err() == nil; i++ {
				var r response
				if i%2 == 0 {
					r = e.call(t, "PUT", "/api/v1/clusters/"+cluster+"/keys", e.admin, map[string]any{"key": fmt.Sprintf("%s%d", p, w), "value": "v"})
				} else {
					r = e.call(t, "GET", "/api/v1/clusters/"+cluster+"/keys?key="+url.QueryEscape(fmt.Sprintf("%s%d", p, w)), e.admin, nil)
				}
				mu.Lock()
				answered++
				if r.status != 200 {
					failures = append(failures, fmt.Sprintf("%s: %d %s", cluster, r.status, r.body))
				}
				mu.Unlock()
			}
		})
	}
	for i := 1; i <= 10; i++ {
		e.rewrite(t, config(i), "")
		if r, a := e.reload(t); r.status != 200 || !slices.Equal(a.Clusters.Changed, []string{"c2"}) {
			t.Errorf("reload %d: %d %s", i, r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	if len(failures) > 0 || answered == 0 {
		t.Fatalf("%d of %d requests failed during reloads, first: %v", len(failures), answered, failures[:min(len(failures), 3)])
	}
}

// A rotated password or certificate file (same entry, new content) counts as a change.
func TestClusterWithARotatedPasswordFileIsConnectedAnew(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := clusterconfig.Cluster{Name: "a", Endpoints: []string{"http://127.0.0.1:1"}, Username: "root", PasswordFile: pw,
		DialTimeout: model.Duration(time.Second), RequestTimeout: model.Duration(time.Second)}
	limits := DefaultConfig().Limits
	conn, err := conns.New(cfg, limits, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if !conn.SameAs(cfg, limits) {
		t.Fatal("unchanged entry and file: not the same")
	}
	if err := os.WriteFile(pw, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if conn.SameAs(cfg, limits) {
		t.Fatal("rotated password file: still the same")
	}
	off := false
	limits.MergeConcurrentWrites = &off
	if err := os.WriteFile(pw, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if conn.SameAs(cfg, limits) {
		t.Fatal("merge_concurrent_writes switched off: still the same")
	}
}

// Serve reloads on SIGHUP, and audits it as server.reload by "system" from "SIGHUP".
func TestServeReloadsOnSIGHUP(t *testing.T) {
	second := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := newEnv(t, envOptions{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	addrs, systemd, webConfig := []string{addr}, false, ""
	flags := &web.FlagConfig{WebListenAddresses: &addrs, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, e.srv, flags, slog.New(slog.NewTextHandler(e.log, nil))) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	eventually(t, "Serve listening on "+addr, func() bool {
		resp, err := http.Get("http://" + addr + "/-/healthy")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})

	e.rewrite(t, entry("c1", e.etcd, "5s")+entry("c2", second.Cluster, "5s"), "")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "SIGHUP reloads the configuration", func() bool { return e.conn("c2") != nil })
	eventually(t, "the SIGHUP reload audited", func() bool {
		for _, rec := range e.allAudit(t) {
			if rec.Operation == "server.reload" && rec.User == "system" && rec.Source == "SIGHUP" && rec.Outcome == store.OutcomeSucceeded {
				return true
			}
		}
		return false
	})
}

// Every setting of the file is either applied by a reload or refused by it: a new setting must
// be put in one list or the other (reload.go), so that a reload never accepts a change it
// ignores.
func TestEverySettingIsReloadableOrNeedsARestart(t *testing.T) {
	reloadable := []string{"clusters", "limits", "audit.retention", "watch", "maintenance.health_timeout", "maintenance.defrag_timeout",
		"auth.trusted_proxies", "auth.failure_audit_interval", "auth.grafana.org_header", "auth.grafana.service_tokens", "ui.enabled", "benchmarks", "backups"}
	var restart []string
	for _, f := range restartOnly {
		restart = append(restart, f.field)
	}
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			path := prefix + name
			switch {
			case name == "" && f.Type.Kind() == reflect.Struct:
				// Inlined: its fields are the section's own.
				walk(prefix, f.Type)
			case slices.Contains(reloadable, path), slices.Contains(restart, path):
			case f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == typ.PkgPath() || path == "store":
				walk(path+".", f.Type)
			default:
				t.Errorf("setting %s: neither applied by a reload nor refused by it (see restartOnly in reload.go)", path)
			}
		}
	}
	walk("", reflect.TypeOf(Config{}))
}
