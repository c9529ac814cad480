package ctl

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	if os.Getenv(shellUnderTestEnv) != "" {
		// tmux runs this binary as the shell of the terminal test.
		os.Exit(runShellUnderTest())
	}
	code := m.Run()
	etcdtest.StopShared()
	os.Exit(code)
}

// proxy is a real opsproxy on a loopback test server, on a bbolt store, serving the given
// clusters (default: the shared one as "c1").
type proxy struct {
	srv   *opsproxy.Server
	url   string
	admin string
	dir   string
}

func startProxy(t testing.TB, clusters map[string]*embedetcd.Cluster) *proxy {
	t.Helper()
	if clusters == nil {
		clusters = map[string]*embedetcd.Cluster{"c1": etcdtest.Shared(t)}
	}
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("clusters:\n")
	for name, c := range clusters {
		fmt.Fprintf(&b, "  - name: %s\n    endpoints: [%s]\n    dial_timeout: 2s\n    request_timeout: 5s\n", name, strings.Join(c.Endpoints(), ", "))
	}
	fmt.Fprintf(&b, "store:\n  path: %s\nmaintenance:\n  snapshot_dir: %s\n  restore_dir: %s\naudit:\n  spool_dir: %s\n",
		filepath.Join(dir, "history.db"), filepath.Join(dir, "snapshots"), filepath.Join(dir, "restores"), filepath.Join(dir, "spool"))
	path := filepath.Join(dir, "opsproxy.yml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := opsproxy.LoadConfig(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	srv, err := opsproxy.New(context.Background(), cfg, slog.New(slog.DiscardHandler), opsproxy.Options{ConfigFile: path})
	if err != nil {
		t.Fatalf("opsproxy: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	p := &proxy{srv: srv, url: ts.URL, dir: dir}
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	p.admin = p.token(t, opsproxy.TokenSpec{Name: "ctl-admin", Role: "admin"})
	return p
}

func (p *proxy) token(t testing.TB, spec opsproxy.TokenSpec) string {
	t.Helper()
	spec.CreatedBy = "ctl test"
	secret, _, err := p.srv.CreateToken(context.Background(), spec)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	return secret
}

// session is a one-shot session of token on cluster, its output in buffers.
type testSession struct {
	*Session
	stdout, stderr *bytes.Buffer
}

func (p *proxy) session(t testing.TB, token, cluster string) *testSession {
	t.Helper()
	c, err := NewClient(Config{URL: p.url, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	ts := &testSession{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	ts.Session = &Session{Client: c, Cluster: cluster, StdinIsTerminal: true, Stdout: ts.stdout, Stderr: ts.stderr}
	return ts
}

// run runs words once and returns the exit code, stdout and stderr.
func (s *testSession) run(t testing.TB, words ...string) (int, string, string) {
	t.Helper()
	s.stdout.Reset()
	s.stderr.Reset()
	code := s.RunOnce(context.Background(), words)
	return code, s.stdout.String(), s.stderr.String()
}

// uniquePrefix is a key prefix of the calling test.
func uniquePrefix(t testing.TB) string {
	return "/" + strings.ReplaceAll(t.Name(), "/", "_") + "/"
}
