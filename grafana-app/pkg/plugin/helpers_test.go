package plugin

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
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	os.Exit(m.Run())
}

// opsproxyEnv is a real opsproxy on a loopback test server, in front of a real one-member etcd
// cluster named "c1", with an admin token and a service token that may act for Grafana users.
type opsproxyEnv struct {
	srv     *opsproxy.Server
	url     string
	admin   string
	service string
	logs    *bytes.Buffer
}

func newOpsproxy(t *testing.T) *opsproxyEnv {
	t.Helper()
	etcd := etcdtest.New(t, etcdtest.Config{Size: 1})
	dir := t.TempDir()
	yml := fmt.Sprintf(`clusters:
  - name: c1
    endpoints: [%s]
    dial_timeout: 2s
    request_timeout: 5s
maintenance:
  snapshot_dir: %s
  restore_dir: %s
audit:
  spool_dir: %s
`, strings.Join(etcd.Endpoints(), ", "), filepath.Join(dir, "snapshots"), filepath.Join(dir, "restores"), filepath.Join(dir, "audit-spool"))
	path := filepath.Join(dir, "opsproxy.yml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := opsproxy.LoadConfig(path)
	if err != nil {
		t.Fatalf("load opsproxy config: %v", err)
	}
	st, err := bolt.Open(filepath.Join(dir, "history.db"), bolt.Options{})
	if err != nil {
		t.Fatalf("open bolt store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &bytes.Buffer{}
	srv, err := opsproxy.New(context.Background(), cfg, slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, nil)), opsproxy.Options{Store: st, ConfigFile: path})
	if err != nil {
		t.Fatalf("new opsproxy: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	e := &opsproxyEnv{srv: srv, url: ts.URL, logs: logs}
	e.admin = e.token(t, opsproxy.TokenSpec{Name: "test-admin", Role: "admin"})
	e.service = e.token(t, opsproxy.TokenSpec{Name: "grafana", Role: "admin", ActsForUsers: true})
	return e
}

func (e *opsproxyEnv) token(t *testing.T, spec opsproxy.TokenSpec) string {
	t.Helper()
	secret, _ := e.tokenWithID(t, spec)
	return secret
}

// tokenWithID creates a token and returns its secret and id.
func (e *opsproxyEnv) tokenWithID(t *testing.T, spec opsproxy.TokenSpec) (string, string) {
	t.Helper()
	spec.CreatedBy = "test"
	secret, tok, err := e.srv.CreateToken(context.Background(), spec)
	if err != nil {
		t.Fatalf("create token %s: %v", spec.Name, err)
	}
	return secret, tok.ID
}

// revoke revokes a token through opsproxy's API.
func (e *opsproxyEnv) revoke(t *testing.T, id string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, e.url+"/api/v1/tokens/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("revoke token %s: %s", id, resp.Status)
	}
}

// auditRecord is the part of opsproxy's audit records the tests look at.
type auditRecord struct {
	User      string `json:"user"`
	Role      string `json:"role"`
	Operation string `json:"operation"`
	Outcome   string `json:"outcome"`
	Cluster   string `json:"cluster"`
}

// audit reads opsproxy's audit log with the admin token, directly.
func (e *opsproxyEnv) audit(t *testing.T, query string) []auditRecord {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+"/api/v1/audit?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("audit query: %s: %s", resp.Status, body)
	}
	var out struct {
		Records []auditRecord `json:"records"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("audit answer: %v: %s", err, body)
	}
	return out.Records
}

// settings are the app's instance settings as Grafana passes them.
func settings(url, token string) backend.AppInstanceSettings {
	js, _ := json.Marshal(map[string]any{"opsproxyUrl": url})
	s := backend.AppInstanceSettings{JSONData: js, DecryptedSecureJSONData: map[string]string{}}
	if token != "" {
		s.DecryptedSecureJSONData[secureServiceToken] = token
	}
	return s
}

// resource is the answer to one resource call.
type resource struct {
	status  int
	headers map[string][]string
	body    []byte
}

func (r resource) errorText(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		t.Fatalf("answer %d is not an error answer: %s", r.status, r.body)
	}
	return e.Error
}

// call makes a resource call as Grafana does, as the given user (nil: none).
func call(t *testing.T, a *App, s backend.AppInstanceSettings, user *backend.User, method, path string, body []byte) resource {
	t.Helper()
	req := &backend.CallResourceRequest{
		PluginContext: backend.PluginContext{PluginID: ID, User: user, AppInstanceSettings: &s},
		Path:          strings.SplitN(path, "?", 2)[0],
		URL:           path,
		Method:        method,
		Body:          body,
		Headers:       map[string][]string{"Accept": {"application/json"}, "Cookie": {"grafana_session=abc"}},
	}
	var out resource
	err := a.CallResource(context.Background(), req, backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
		if r.Status != 0 {
			out.status, out.headers = r.Status, r.Headers
		}
		out.body = append(out.body, r.Body...)
		return nil
	}))
	if err != nil {
		t.Fatalf("CallResource %s %s: %v", method, path, err)
	}
	return out
}

// testLogger keeps every log line, with its arguments, for the tests to search.
type testLogger struct {
	mu    *sync.Mutex
	buf   *strings.Builder
	attrs []any
}

func newTestLogger() *testLogger { return &testLogger{mu: &sync.Mutex{}, buf: &strings.Builder{}} }

var _ log.Logger = (*testLogger)(nil)

func (l *testLogger) line(level, msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.buf, level, msg, append(append([]any{}, l.attrs...), args...))
}
func (l *testLogger) Debug(msg string, args ...any) { l.line("debug", msg, args...) }
func (l *testLogger) Info(msg string, args ...any)  { l.line("info", msg, args...) }
func (l *testLogger) Warn(msg string, args ...any)  { l.line("warn", msg, args...) }
func (l *testLogger) Error(msg string, args ...any) { l.line("error", msg, args...) }
func (l *testLogger) With(args ...any) log.Logger {
	return &testLogger{mu: l.mu, buf: l.buf, attrs: append(append([]any{}, l.attrs...), args...)}
}
func (l *testLogger) Level() log.Level                       { return log.Debug }
func (l *testLogger) FromContext(context.Context) log.Logger { return l }
func (l *testLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
