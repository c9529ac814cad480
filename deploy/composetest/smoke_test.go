package composetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"go.yaml.in/yaml/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// localConfig writes a copy of a service's mounted configuration with only what names the
// stack's hosts and files changed (by edit), so the rest runs here as shipped.
func localConfig(t *testing.T, svc string, edit func(m map[string]any)) string {
	t.Helper()
	s := service(t, loadProject(t), svc)
	file, _ := flagValue(s.Command, "config.file")
	b, err := os.ReadFile(hostPath(s, file))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := yaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(file))
	if err := os.WriteFile(p, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// process is one etcd-monitor command of the stack, run here.
type process struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
}

// start runs the service's compose command with --config.file and --web.listen-address
// replaced, in a working directory of its own (the image's WORKDIR), stopped at cleanup.
func start(t *testing.T, svc, config string, port int) *process {
	t.Helper()
	s := service(t, loadProject(t), svc)
	var args []string
	for _, a := range s.Command {
		switch {
		case strings.HasPrefix(a, "--config.file="):
			a = "--config.file=" + config
		case strings.HasPrefix(a, "--web.listen-address="):
			a = fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port)
		}
		args = append(args, a)
	}
	p := &process{cmd: exec.Command(binary(t), args...), stderr: new(bytes.Buffer)}
	p.cmd.Dir = t.TempDir()
	p.cmd.Stderr = p.stderr
	p.cmd.Stdout = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	})
	return p
}

// waitHealthy runs the service's compose health check (the etcd-monitor healthcheck
// subcommand) against the local port until it passes.
func waitHealthy(t *testing.T, svc string, p *process, port int) {
	t.Helper()
	test := service(t, loadProject(t), svc).HealthCheck.Test
	url := strings.Replace(test[len(test)-1], ":"+ourServices[svc], fmt.Sprintf(":%d", port), 1)
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, err := exec.Command(binary(t), append(test[2:len(test)-1], url)...).CombinedOutput()
		if err == nil {
			return
		}
		if p.cmd.ProcessState != nil || time.Now().After(deadline) {
			t.Fatalf("%s never became healthy: %v %s\n%s", svc, err, out, p.stderr)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func get(t *testing.T, url string, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestStackServicesRunOnTheirComposeConfigs runs the exporter, opsproxy and the worker with
// their compose commands and configuration files — hosts pointed at a real etcd, PostgreSQL and
// Redis here, secrets from init-secrets.sh — waits for their compose health checks, and runs
// the README's command that creates the Grafana app's service token.
func TestStackServicesRunOnTheirComposeConfigs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the stack's processes")
	}
	etcd := etcdtest.Shared(t)
	rds := redistest.Start(t, "")
	dsn := storetest.PostgresDSN(t)
	pc, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := "composetest_" + store.NewID()[:12]
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	secrets := t.TempDir()
	runInitSecrets(t, secrets)
	// The shipped pgpass names the stack's host; here the same line format names the local one.
	pgpass := filepath.Join(secrets, "opsproxy-pgpass")
	if err := os.WriteFile(pgpass, []byte(fmt.Sprintf("%s:%d:%s:%s:unused-with-trust-auth\n", pc.Host, pc.Port, pc.Database, pc.User)), 0o600); err != nil {
		t.Fatal(err)
	}
	adminToken, err := os.ReadFile(filepath.Join(secrets, "opsproxy-admin-token"))
	if err != nil {
		t.Fatal(err)
	}
	endpoints := etcd.Endpoints()

	opsCfg := localConfig(t, "opsproxy", func(m map[string]any) {
		m["clusters"].([]any)[0].(map[string]any)["endpoints"] = endpoints
		st := m["store"].(map[string]any)
		shipped, err := pgconn.ParseConfig(st["dsn"].(string))
		if err != nil || shipped.Password != "" {
			t.Fatalf("shipped store.dsn: %v (or it carries a password)", err)
		}
		st["dsn"] = fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable&passfile=%s", pc.User, pc.Host, pc.Port, pc.Database, pgpass)
		st["schema"] = schema
		m["auth"].(map[string]any)["bootstrap_token_file"] = filepath.Join(secrets, "opsproxy-admin-token")
		m["queue"].(map[string]any)["redis_url"] = rds.URL()
		m["queue"].(map[string]any)["stream"] = schema
		dir := t.TempDir()
		m["maintenance"].(map[string]any)["snapshot_dir"] = filepath.Join(dir, "snapshots")
		m["maintenance"].(map[string]any)["restore_dir"] = filepath.Join(dir, "restores")
	})
	expCfg := localConfig(t, "exporter", func(m map[string]any) {
		m["clusters"].([]any)[0].(map[string]any)["endpoints"] = endpoints
	})

	ports := map[string]int{"exporter": etcdtest.FreePort(t), "opsproxy": etcdtest.FreePort(t), "worker": etcdtest.FreePort(t)}
	exp := start(t, "exporter", expCfg, ports["exporter"])
	ops := start(t, "opsproxy", opsCfg, ports["opsproxy"])
	waitHealthy(t, "exporter", exp, ports["exporter"])
	waitHealthy(t, "opsproxy", ops, ports["opsproxy"])
	wrk := start(t, "worker", opsCfg, ports["worker"])
	waitHealthy(t, "worker", wrk, ports["worker"])

	// Prometheus's probe of the cluster, as prometheus.yml asks for it.
	code, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/probe?target=compose", ports["exporter"]), nil)
	if code != http.StatusOK || !strings.Contains(body, "probe_success 1") {
		t.Errorf("/probe?target=compose: %d\n%.2000s", code, body)
	}
	opsURL := fmt.Sprintf("http://127.0.0.1:%d", ports["opsproxy"])
	admin := strings.TrimSpace(string(adminToken))
	if code, body := get(t, opsURL+"/api/v1/clusters", map[string]string{"Authorization": "Bearer " + admin}); code != http.StatusOK {
		t.Errorf("the bootstrap admin token from the secret file: %d %s", code, body)
	}

	// The README's command for the Grafana app's service token, and what the app then sends.
	cmd := exec.Command(binary(t), "opsproxy", "--config.file="+opsCfg, "token", "create", "--name", "grafana", "--role", "admin", "--acts-for-users")
	cmd.Dir = t.TempDir()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	svcToken := lines[len(lines)-1] // `| tail -n 1`
	grafana := map[string]string{"Authorization": "Bearer " + svcToken, "X-Grafana-User": "alice", "X-Grafana-Org-Role": "Viewer"}
	if code, body := get(t, opsURL+"/api/v1/clusters", grafana); code != http.StatusOK || !strings.Contains(body, "compose") {
		t.Errorf("the service token as the Grafana app sends it: %d %s", code, body)
	}
	grafana["Authorization"] = "Bearer wrong-" + svcToken
	if code, _ := get(t, opsURL+"/api/v1/clusters", grafana); code != http.StatusUnauthorized {
		t.Errorf("a wrong service token: %d, want 401", code)
	}

	// No secret in what the processes printed.
	for name, p := range map[string]*process{"exporter": exp, "opsproxy": ops, "worker": wrk} {
		for _, secret := range []string{admin, svcToken} {
			if strings.Contains(p.stderr.String(), secret) {
				t.Errorf("%s's log shows a token", name)
			}
		}
	}
}
