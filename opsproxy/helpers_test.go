package opsproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	code := m.Run()
	etcdtest.StopShared()
	os.Exit(code)
}

// storeKind selects the history store of a test server.
type storeKind string

const (
	boltStore     storeKind = "bolt"
	postgresStore storeKind = "postgres"
)

var storeKinds = []storeKind{boltStore, postgresStore}

// openStore opens a fresh store of the given kind, closed at cleanup.
func openStore(t testing.TB, kind storeKind) store.Store {
	t.Helper()
	var st store.Store
	switch kind {
	case postgresStore:
		dsn := storetest.PostgresDSN(t)
		schema := "opsproxy_test_" + store.NewID()[:12]
		storetest.DropSchemaAtCleanup(t, dsn, schema)
		pg, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatalf("open postgres store: %v", err)
		}
		st = pg
	default:
		b, err := bolt.Open(filepath.Join(t.TempDir(), "history.db"), bolt.Options{})
		if err != nil {
			t.Fatalf("open bolt store: %v", err)
		}
		st = b
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// env is an opsproxy server on a loopback test server, with an admin token.
type env struct {
	srv    *Server
	url    string
	store  store.Store
	admin  string
	log    *logtest.Buffer
	etcd   *embedetcd.Cluster
	cfg    *Config
	closed bool
	// configPath is the file the server was started from (and Reload reads); configDir holds
	// it and the snapshot and restore directories.
	configPath, configDir string
}

// etcdClient is a client of the test's etcd cluster, closed at cleanup.
func (e *env) etcdClient(t *testing.T) *clientv3.Client {
	t.Helper()
	cli, err := e.etcd.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

type envOptions struct {
	store storeKind
	// cluster is the etcd cluster to serve as "c1" (default: the shared one).
	cluster *embedetcd.Cluster
	// extra is YAML appended to the configuration (top-level sections).
	extra string
	// st replaces the store of the given kind.
	st store.Store
	// configure edits the configuration after loading.
	configure func(*Config)
	// jobKinds are served beside the built-in kinds.
	jobKinds []jobs.Kind
	// scheduleClock is the scheduler's clock (default time.Now).
	scheduleClock func() time.Time
}

func clusterEntry(name string, c *embedetcd.Cluster) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    endpoints: [%s]\n    dial_timeout: 2s\n    request_timeout: 5s\n", name, strings.Join(c.Endpoints(), ", "))
	if c.RootPassword != "" {
		fmt.Fprintf(&b, "    username: root\n    password: %s\n", c.RootPassword)
	}
	return b.String()
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	if o.cluster == nil {
		o.cluster = etcdtest.Shared(t)
	}
	dir := t.TempDir()
	path := writeConfig(t, dir, clusterEntry("c1", o.cluster), o.extra)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("load config %s: %v", path, err)
	}
	if o.configure != nil {
		o.configure(cfg)
	}
	st := o.st
	if st == nil {
		st = openStore(t, o.store)
	}
	logs := &logtest.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(context.Background(), cfg, logger, Options{Store: st, ConfigFile: path, JobKinds: o.jobKinds, ScheduleClock: o.scheduleClock})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	// As Serve does: HTTP/1.1 and HTTP/2 without TLS.
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.Protocols = protocols()
	ts.Start()
	e := &env{srv: srv, url: ts.URL, store: st, log: logs, etcd: o.cluster, cfg: cfg, configPath: path, configDir: dir}
	t.Cleanup(func() {
		ts.Close()
		e.close()
	})
	e.admin, _, err = srv.CreateToken(context.Background(), TokenSpec{Name: "test-admin", Role: "admin", CreatedBy: "test"})
	if err != nil {
		t.Fatalf("admin token: %v", err)
	}
	return e
}

// writeConfig writes dir/opsproxy.yml with the given cluster entries, the snapshot, restore and
// audit spool directories under dir, and extra (top-level sections), and returns its path.
func writeConfig(t testing.TB, dir, clusters, extra string) string {
	t.Helper()
	spool := fmt.Sprintf("  spool_dir: %s\n", filepath.Join(dir, "audit-spool"))
	if strings.HasPrefix(extra, "audit:\n") || strings.Contains(extra, "\naudit:\n") {
		extra = strings.Replace("\n"+extra, "\naudit:\n", "\naudit:\n"+spool, 1)[1:]
	} else {
		extra += "audit:\n" + spool
	}
	yml := "clusters:\n" + clusters +
		fmt.Sprintf("maintenance:\n  snapshot_dir: %s\n  restore_dir: %s\n", filepath.Join(dir, "snapshots"), filepath.Join(dir, "restores")) + extra
	path := filepath.Join(dir, "opsproxy.yml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (e *env) close() {
	if !e.closed {
		e.closed = true
		e.srv.Close()
	}
}

// token creates a token directly in the store and returns its secret.
func (e *env) token(t testing.TB, spec TokenSpec) string {
	t.Helper()
	if spec.CreatedBy == "" {
		spec.CreatedBy = "test"
	}
	secret, _, err := e.srv.CreateToken(context.Background(), spec)
	if err != nil {
		t.Fatalf("create token: %v", err)
	}
	return secret
}

// response is an API answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", r.status, err, r.body)
	}
}

func (r response) errorText(t testing.TB) string {
	t.Helper()
	var b errorBody
	r.json(t, &b)
	if b.RequestID == "" {
		t.Errorf("error answer without request_id: %s", r.body)
	}
	return b.Error
}

// call makes a request; body is JSON-encoded unless it is a string or []byte. headers come in
// name, value pairs.
func (e *env) call(t testing.TB, method, path, token string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// audit returns the records of one request, waiting until n are committed (reads are recorded
// just after they are answered).
func (e *env) audit(t testing.TB, requestID string, n int) []store.AuditRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		var out []store.AuditRecord
		var cursor int64
		for {
			page, err := e.store.QueryAudit(ctx, store.AuditFilter{Cursor: cursor, Limit: store.MaxAuditLimit})
			if err != nil {
				t.Fatalf("query audit: %v", err)
			}
			for _, r := range page.Records {
				if r.RequestID == requestID {
					out = append(out, r)
				}
			}
			if page.Next == 0 {
				break
			}
			cursor = page.Next
		}
		if len(out) >= n {
			return out
		}
		select {
		case <-ctx.Done():
			t.Fatalf("request %s: %d audit records, want %d", requestID, len(out), n)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// allAudit returns every record of the log.
func (e *env) allAudit(t testing.TB) []store.AuditRecord {
	t.Helper()
	var out []store.AuditRecord
	var cursor int64
	for {
		page, err := e.store.QueryAudit(context.Background(), store.AuditFilter{Cursor: cursor, Limit: store.MaxAuditLimit})
		if err != nil {
			t.Fatalf("query audit: %v", err)
		}
		out = append(out, page.Records...)
		if page.Next == 0 {
			return out
		}
		cursor = page.Next
	}
}

// uniquePrefix is a key prefix of the calling test.
func uniquePrefix(t testing.TB) string {
	return "/" + strings.ReplaceAll(t.Name(), "/", "_") + "-" + store.NewID()[:6] + "/"
}

func clientOptsPrefix() []clientv3.OpOption {
	return []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithCountOnly()}
}
