package agent

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/crypto/bcrypt"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
)

// served is an agent behind Serve, with a real --web.config.file.
type served struct {
	addr string
	log  *logtest.Buffer
	a    *Agent
}

// serveAgent runs Serve with webConfig on a loopback port until the test ends.
func serveAgent(t *testing.T, cfg Config, webConfig string) *served {
	t.Helper()
	path := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(path, []byte(webConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Dir, cfg.Job, cfg.WebConfigFile = t.TempDir(), smallJob, path
	cfg.Interval, cfg.Jitter = time.Hour, 0.5
	log := &logtest.Buffer{}
	logger := slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := New(cfg, logger, newRegistry())
	if err != nil {
		t.Fatal(err)
	}
	a.rand = func() float64 { return 1 } // the first scheduled probe in 30 minutes: not in this test
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	addrs, systemd := []string{addr}, false
	flags := &web.FlagConfig{WebListenAddresses: &addrs, WebSystemdSocket: &systemd, WebConfigFile: &path}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Serve(ctx, a, flags, logger) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if t.Failed() {
			t.Logf("agent log:\n%s", log)
		}
	})
	waitFor(t, "the agent to listen", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return &served{addr: addr, log: log, a: a}
}

// call sends one request over TLS (tc) with optional basic auth and returns status and body.
func call(t *testing.T, tc *tls.Config, method, url, user, pass, body string) (int, string, error) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: tc}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), nil
}

func bcryptHash(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

func rootsOf(t *testing.T, caFile string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	return roots
}

func TestServeWithBasicAuthOverTLSLetsOnlyProbeUsersProbeAndNeverShowsThePassword(t *testing.T) {
	pki, err := embedetcd.GenerateTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const promPass, opsPass = "scrape-Secret-1f2e", "probe-Secret-9a8b"
	promHash, opsHash := bcryptHash(t, promPass), bcryptHash(t, opsPass)
	s := serveAgent(t, Config{ProbeUsers: []string{"opsproxy"}}, fmt.Sprintf(`tls_server_config:
  cert_file: %s
  key_file: %s
basic_auth_users:
  prometheus: %s
  opsproxy: %s
`, pki.ServerCertFile, pki.ServerKeyFile, promHash, opsHash))
	tc := &tls.Config{RootCAs: rootsOf(t, pki.CAFile), MinVersion: tls.VersionTLS12}
	base := "https://" + s.addr
	probe := `{"block_size": 2300, "size": 23000}`

	for _, tc2 := range []struct {
		name, method, path, user, pass, body string
		want                                 int
		wantBody                             string
	}{
		{"no credentials", "GET", "/metrics", "", "", "", http.StatusUnauthorized, ""},
		{"wrong password", "GET", "/metrics", "prometheus", opsPass, "", http.StatusUnauthorized, ""},
		{"unknown user", "POST", "/probe", "root", opsPass, probe, http.StatusUnauthorized, ""},
		{"scrape user scrapes", "GET", "/metrics", "prometheus", promPass, "", http.StatusOK, "etcd_monitor_diskprobe_budget_bytes"},
		{"scrape user may not probe", "POST", "/probe", "prometheus", promPass, probe, http.StatusForbidden, `"prometheus\" may not run probes`},
		{"probe user probes", "POST", "/probe", "opsproxy", opsPass, probe, http.StatusOK, `"verdict"`},
		{"probe user reads the last probe", "GET", "/probe/last", "opsproxy", opsPass, "", http.StatusOK, `"verdict"`},
	} {
		t.Run(tc2.name, func(t *testing.T) {
			status, body, err := call(t, tc, tc2.method, base+tc2.path, tc2.user, tc2.pass, tc2.body)
			if err != nil || status != tc2.want || !strings.Contains(body, tc2.wantBody) {
				t.Fatalf("%d %v\n%s\nwant %d containing %q", status, err, body, tc2.want, tc2.wantBody)
			}
		})
	}
	t.Run("plain HTTP", func(t *testing.T) {
		if status, _, err := call(t, nil, "GET", "http://"+s.addr+"/metrics", "prometheus", promPass, ""); err == nil && status != http.StatusBadRequest {
			t.Fatalf("plain HTTP answered %d", status)
		}
	})
	_, metrics, _ := call(t, tc, "GET", base+"/metrics", "prometheus", promPass, "")
	for what, text := range map[string]string{"the log": s.log.String(), "/metrics": metrics} {
		for _, secret := range []string{promPass, opsPass, promHash, opsHash} {
			if strings.Contains(text, secret) {
				t.Errorf("%s shows a password or its hash %q", what, secret)
			}
		}
	}
}

func TestServeWithClientCertificatesTakesTheCommonNameAsTheCaller(t *testing.T) {
	pki, err := embedetcd.GenerateTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := embedetcd.GenerateTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := serveAgent(t, Config{ProbeUsers: []string{"embedetcd client"}}, fmt.Sprintf(`tls_server_config:
  cert_file: %s
  key_file: %s
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: %s
`, pki.ServerCertFile, pki.ServerKeyFile, pki.CAFile))
	roots := rootsOf(t, pki.CAFile)
	withCert := func(certFile, keyFile string) *tls.Config {
		c, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		return &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}
	}
	base := "https://" + s.addr
	probe := `{"block_size": 2300, "size": 23000}`

	if status, body, err := call(t, withCert(pki.ClientCertFile, pki.ClientKeyFile), "POST", base+"/probe", "", "", probe); err != nil || status != http.StatusOK {
		t.Fatalf("client certificate of a probe user: %d %v %s", status, err, body)
	}
	// The server's certificate is from the same CA and allowed for client auth, but its common
	// name is not a probe user: it may scrape, not probe.
	serverAsClient := withCert(pki.ServerCertFile, pki.ServerKeyFile)
	if status, _, err := call(t, serverAsClient, "GET", base+"/metrics", "", "", ""); err != nil || status != http.StatusOK {
		t.Fatalf("another verified certificate scraping: %d %v", status, err)
	}
	if status, body, err := call(t, serverAsClient, "POST", base+"/probe", "", "", probe); err != nil || status != http.StatusForbidden ||
		!strings.Contains(body, `"embedetcd server\" may not run probes`) {
		t.Fatalf("another verified certificate probing: %d %v %s; want 403", status, err, body)
	}
	for name, tc := range map[string]*tls.Config{
		"no client certificate":            {RootCAs: roots, MinVersion: tls.VersionTLS12},
		"client certificate of another CA": withCert(stranger.ClientCertFile, stranger.ClientKeyFile),
	} {
		if status, _, err := call(t, tc, "POST", base+"/probe", "", "", probe); err == nil {
			t.Errorf("%s: answered %d; want the handshake refused", name, status)
		}
	}
	if runs := s.a.stats[triggerDemand].runs; runs[resultPass]+runs[resultFail] != 1 {
		t.Errorf("runs %v, want the one allowed probe", runs)
	}
}

// A probe user list is only as good as the web config's authentication: a basic auth header
// that exporter-toolkit did not check (no basic_auth_users) names nobody.
func TestUncheckedBasicAuthHeaderIsNotAProbeUser(t *testing.T) {
	pki, err := embedetcd.GenerateTLS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := serveAgent(t, Config{ProbeUsers: []string{"embedetcd client"}}, fmt.Sprintf(`tls_server_config:
  cert_file: %s
  key_file: %s
  client_auth_type: VerifyClientCertIfGiven
  client_ca_file: %s
`, pki.ServerCertFile, pki.ServerKeyFile, pki.CAFile))
	tc := &tls.Config{RootCAs: rootsOf(t, pki.CAFile), MinVersion: tls.VersionTLS12}
	status, body, err := call(t, tc, "POST", "https://"+s.addr+"/probe", "embedetcd client", "anything", `{"profile": "agent"}`)
	if err != nil || status != http.StatusForbidden || !strings.Contains(body, "an unauthenticated caller may not run probes") {
		t.Fatalf("%d %v %s; want 403 for an unauthenticated caller", status, err, body)
	}
}
