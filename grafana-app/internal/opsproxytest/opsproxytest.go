// Package opsproxytest starts a real opsproxy, in front of a real etcd cluster (one member
// unless asked for more), for the Grafana app's tests: its backend's package tests, the host
// test of the built plugin and the browser tests of the standalone console.
// Test binaries that use it call etcdtest.RunMemberIfRequested in TestMain.
package opsproxytest

import (
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

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/localagents"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// Env is a real opsproxy on a loopback test server, in front of a real etcd cluster named "c1",
// with an admin token and a service token that may act for Grafana users.
type Env struct {
	Srv *opsproxy.Server
	// URL is opsproxy's base URL; Admin an admin token; Service an admin token that may act
	// for Grafana users (the app's service token).
	URL, Admin, Service string
	// ServiceID is the service token's id (for auth.grafana.service_tokens).
	ServiceID string
	// Etcd is the cluster behind opsproxy, for tests that seed or change keys directly.
	Etcd *etcdtest.Cluster
	// DiskAgents are the members' diskprobe agents when Options.DiskAgents asked for them.
	DiskAgents []localagents.Local
	logs       *logtest.Buffer
	// configPath and config are the configuration file and its content as started.
	configPath, config string
}

// Logs is what opsproxy logged so far.
func (e *Env) Logs() string { return e.logs.String() }

func New(t testing.TB) *Env {
	t.Helper()
	return NewWithMembers(t, 1)
}

// NewWithMembers is New in front of an etcd cluster of members members (the browser tests use
// three, as production does).
func NewWithMembers(t testing.TB, members int) *Env {
	t.Helper()
	return NewWith(t, Options{Members: members})
}

// Options are what NewWith starts besides opsproxy.
type Options struct {
	// Members of the etcd cluster (default 1).
	Members int
	// DiskAgents starts a diskprobe agent per member (localagents, no scheduled probes), the
	// cluster's disk_agents, for the Disk page.
	DiskAgents bool
}

// NewWith is New with the options.
func NewWith(t testing.TB, o Options) *Env {
	t.Helper()
	if o.Members == 0 {
		o.Members = 1
	}
	etcd := etcdtest.New(t, etcdtest.Config{Size: o.Members})
	dir := t.TempDir()
	agents := ""
	var diskAgents []localagents.Local
	if o.DiskAgents {
		var names []string
		for _, m := range etcd.Members {
			names = append(names, m.Name)
		}
		// A budget far above the default, so that the Disk scenario's 60 s probe is still running
		// when the page cancels it: on a fast disk the default's 256 MiB ends it within seconds.
		set, err := localagents.Start(localagents.Options{Dir: filepath.Join(dir, "diskprobe"), Members: names, MaxBytesPerHour: 64 << 30})
		if err != nil {
			t.Fatalf("start the disk agents: %v", err)
		}
		t.Cleanup(set.Close)
		agents = set.YAML("    ")
		diskAgents = set.Agents
	}
	yml := fmt.Sprintf(`clusters:
  - name: c1
    endpoints: [%s]
    dial_timeout: 2s
    request_timeout: 5s
%smaintenance:
  snapshot_dir: %s
  restore_dir: %s
audit:
  spool_dir: %s
`, strings.Join(etcd.Endpoints(), ", "), agents, filepath.Join(dir, "snapshots"), filepath.Join(dir, "restores"), filepath.Join(dir, "audit-spool"))
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
	logs := &logtest.Buffer{}
	srv, err := opsproxy.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, nil)), opsproxy.Options{Store: st, ConfigFile: path})
	if err != nil {
		t.Fatalf("new opsproxy: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	e := &Env{Srv: srv, URL: ts.URL, Etcd: etcd, DiskAgents: diskAgents, logs: logs, configPath: path, config: yml}
	e.Admin = e.Token(t, opsproxy.TokenSpec{Name: "test-admin", Role: "admin"})
	e.Service, e.ServiceID = e.TokenWithID(t, opsproxy.TokenSpec{Name: "grafana", Role: "admin", ActsForUsers: true})
	return e
}

// Reconfigure rewrites opsproxy's configuration as started plus extra (top-level YAML sections)
// and reloads it through the API, as an operator would.
func (e *Env) Reconfigure(t testing.TB, extra string) {
	t.Helper()
	if err := os.WriteFile(e.configPath, []byte(e.config+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.URL+"/-/reload", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.Admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("reload opsproxy: %v", err)
	}
	defer resp.Body.Close()
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		t.Fatalf("reload opsproxy: %d %s", resp.StatusCode, body)
	}
}

// Token creates a token and returns its secret.
func (e *Env) Token(t testing.TB, spec opsproxy.TokenSpec) string {
	t.Helper()
	secret, _ := e.TokenWithID(t, spec)
	return secret
}

// TokenWithID creates a token and returns its secret and id.
func (e *Env) TokenWithID(t testing.TB, spec opsproxy.TokenSpec) (string, string) {
	t.Helper()
	spec.CreatedBy = "test"
	secret, tok, err := e.Srv.CreateToken(context.Background(), spec)
	if err != nil {
		t.Fatalf("create token %s: %v", spec.Name, err)
	}
	return secret, tok.ID
}

// Revoke revokes a token through opsproxy's API.
func (e *Env) Revoke(t testing.TB, id string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, e.URL+"/api/v1/tokens/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+e.Admin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("revoke token %s: %s", id, resp.Status)
	}
}

// AuditRecord is the part of opsproxy's audit records the tests look at.
type AuditRecord struct {
	User      string `json:"user"`
	Role      string `json:"role"`
	Operation string `json:"operation"`
	Outcome   string `json:"outcome"`
	Cluster   string `json:"cluster"`
	// Command is the console's command line (values redacted); empty for the REST API's calls.
	Command string `json:"command"`
}

// Audit reads opsproxy's audit log with the admin token, directly.
func (e *Env) Audit(t testing.TB, query string) []AuditRecord {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/audit?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+e.Admin)
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
		Records []AuditRecord `json:"records"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("audit answer: %v: %s", err, body)
	}
	return out.Records
}
