package exporter

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/crypto/bcrypt"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// Serve puts the exporter behind exporter-toolkit's web config (here basic auth) and reloads the
// configuration on SIGHUP.
func TestServeEnforcesWebConfigAndReloadsOnSIGHUP(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte("scrape-pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webConfig, []byte("basic_auth_users:\n  prometheus: "+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startExporter(t, "clusters:\n"+clusterYAML("first", c), Options{EnableLifecycle: true})

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	systemd := false
	flags := &web.FlagConfig{WebListenAddresses: &[]string{addr}, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, e.Exporter, flags, discardLogger()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})

	status := func(user, pw string) int {
		deadline := time.Now().Add(10 * time.Second)
		for {
			req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/-/healthy", nil)
			if user != "" {
				req.SetBasicAuth(user, pw)
			}
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
				return resp.StatusCode
			}
			if time.Now().After(deadline) {
				t.Fatalf("exporter not answering on %s: %v", addr, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if code := status("", ""); code != http.StatusUnauthorized {
		t.Errorf("without credentials: HTTP %d, want 401", code)
	}
	if code := status("prometheus", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: HTTP %d, want 401", code)
	}
	if code := status("prometheus", "scrape-pw"); code != http.StatusOK {
		t.Errorf("right password: HTTP %d, want 200", code)
	}
	// The lifecycle API is behind the same authentication.
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/-/reload", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /-/reload without credentials: HTTP %d, want 401", resp.StatusCode)
	}

	if err := os.WriteFile(e.ConfigFile, []byte("clusters:\n"+clusterYAML("first", c)+clusterYAML("added", c)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := e.lookup("added"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("SIGHUP did not reload the configuration")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
