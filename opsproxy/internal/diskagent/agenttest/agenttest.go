// Package agenttest starts a real diskprobe agent (diskprobe/agent) for tests, served as
// `etcd-monitor diskprobe serve` serves it: through exporter-toolkit's web config, optionally
// with TLS and basic auth, on a loopback port, probing in a temporary directory.
package agenttest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/crypto/bcrypt"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/diskprobe/agent"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
)

// Options shape the agent.
type Options struct {
	// Member names the agent's entry (default "infra0").
	Member string
	// TLS serves HTTPS with a generated certificate; the entry trusts its CA.
	TLS bool
	// Username and Password require basic auth; the entry's password_file holds Password.
	Username, Password string
	// MaxBytesPerHour is the agent's I/O budget (default the agent's).
	MaxBytesPerHour int64
	// Timeout is the entry's timeout (default the configuration's).
	Timeout time.Duration
	// ProbeUsers are the agent's --probe.user: the only basic auth users that may probe.
	// OtherUsers are more basic auth users (name to password) beside Username.
	ProbeUsers []string
	OtherUsers map[string]string
}

// Agent is a running agent.
type Agent struct {
	// Entry is the disk_agents entry that reaches it.
	Entry clusterconfig.DiskAgent
	// Dir is the directory the agent probes in (each probe makes its own subdirectory).
	Dir string
	// URL is the agent's base URL.
	URL string

	stop func()
}

// Start starts an agent, stopped at cleanup.
func Start(t testing.TB, o Options) *Agent {
	t.Helper()
	if o.Member == "" {
		o.Member = "infra0"
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "probe")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	entry := clusterconfig.DiskAgent{Member: o.Member, Timeout: model.Duration(clusterconfig.DefaultDiskAgentTimeout)}
	if o.Timeout > 0 {
		entry.Timeout = model.Duration(o.Timeout)
	}
	var webYML strings.Builder
	scheme := "http"
	if o.TLS {
		pki := filepath.Join(tmp, "pki")
		if err := os.Mkdir(pki, 0o700); err != nil {
			t.Fatal(err)
		}
		files, err := embedetcd.GenerateTLS(pki)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&webYML, "tls_server_config:\n  cert_file: %s\n  key_file: %s\n", files.ServerCertFile, files.ServerKeyFile)
		entry.TLS.CAFile = files.CAFile
		scheme = "https"
	}
	if o.Username != "" {
		users := map[string]string{o.Username: o.Password}
		for name, pw := range o.OtherUsers {
			users[name] = pw
		}
		webYML.WriteString("basic_auth_users:\n")
		for name, pw := range users {
			hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&webYML, "  %s: %s\n", name, hash)
		}
		entry.Username = o.Username
		entry.PasswordFile = filepath.Join(tmp, "probe-password")
		if err := os.WriteFile(entry.PasswordFile, []byte(o.Password+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	webConfig := filepath.Join(tmp, "web.yml")
	if err := os.WriteFile(webConfig, []byte(webYML.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := agent.Config{Dir: dir, MaxBytesPerHour: o.MaxBytesPerHour, ProbeUsers: o.ProbeUsers, WebConfigFile: webConfig}
	if o.MaxBytesPerHour > 0 {
		// The budget must hold one scheduled probe (which never runs here: Run is not called).
		cfg.Job = diskprobe.Job{Profile: "agent", BlockSize: 2300, Size: min(230000, o.MaxBytesPerHour), Preallocate: 0}
	}
	a, err := agent.New(cfg, nil, prometheus.NewRegistry())
	if err != nil {
		t.Fatalf("start the diskprobe agent: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entry.URL = scheme + "://" + l.Addr().String()
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	systemd := false
	flags := &web.FlagConfig{WebListenAddresses: &[]string{l.Addr().String()}, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
	done := make(chan error, 1)
	go func() { done <- web.Serve(l, srv, flags, slog.New(slog.DiscardHandler)) }()
	ag := &Agent{Entry: entry, Dir: dir, URL: entry.URL}
	stopped := false
	ag.stop = func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("diskprobe agent: %v", err)
		}
	}
	t.Cleanup(ag.stop)
	return ag
}

// Stop stops the agent: its URL then refuses connections.
func (a *Agent) Stop() { a.stop() }

// Entries lists what is in the agent's directory: a probe's subdirectory while one runs.
func (a *Agent) Entries(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir(a.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}
