package composetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
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

// start runs the service's compose command with the flags named in local given their value
// here (--config.file, --web.listen-address, paths) and extra ones appended, in a working
// directory of its own (the image's WORKDIR), stopped at cleanup.
func start(t *testing.T, svc string, local map[string]string, extra ...string) *process {
	t.Helper()
	s := service(t, loadProject(t), svc)
	var args []string
	replaced := map[string]bool{}
	for _, a := range s.Command {
		if name, _, ok := strings.Cut(strings.TrimPrefix(a, "--"), "="); ok && strings.HasPrefix(a, "--") {
			if v, ok := local[name]; ok {
				a = "--" + name + "=" + v
				replaced[name] = true
			}
		}
		args = append(args, a)
	}
	for name := range local {
		if !replaced[name] {
			t.Fatalf("%s: no --%s in its compose command %v", svc, name, s.Command)
		}
	}
	args = append(args, extra...)
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

// listenHere is the --web.listen-address of a process of the stack run here.
func listenHere(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }

// waitHealthy runs the service's compose health check (the etcd-monitor healthcheck
// subcommand) against the local port until it passes; files maps paths the check names in the
// container (a secret's) to the files here.
func waitHealthy(t *testing.T, svc string, p *process, port int, files map[string]string) {
	t.Helper()
	test := service(t, loadProject(t), svc).HealthCheck.Test
	containerPort, ok := ourServices[svc]
	if _, agent := diskAgents[svc]; agent {
		containerPort, ok = diskAgentPort, true
	}
	if !ok {
		t.Fatalf("%s is not one of our services", svc)
	}
	var args []string
	for _, a := range test[2 : len(test)-1] {
		if name, path, ok := strings.Cut(a, "="); ok && files[path] != "" {
			a = name + "=" + files[path]
		}
		args = append(args, a)
	}
	url := strings.Replace(test[len(test)-1], ":"+containerPort, fmt.Sprintf(":%d", port), 1)
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, err := exec.Command(binary(t), append(args, url)...).CombinedOutput()
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
	return do(t, http.MethodGet, url, header, "")
}

// basicAuth is the Authorization header of user with the password in passwordFile (a secret
// file, with its newline).
func basicAuth(t *testing.T, user, passwordFile string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(passwordFile)
	if err != nil {
		t.Fatal(err)
	}
	cred := user + ":" + strings.TrimRight(string(b), "\n")
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))}
}

// do sends one request and returns the answer's status and body.
func do(t *testing.T, method, url string, header map[string]string, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestStackServicesRunOnTheirComposeConfigs runs the exporter, opsproxy, the worker and a
// diskprobe agent with their compose commands and configuration files — hosts pointed at a real
// etcd, PostgreSQL and Redis here, secrets from init-secrets.sh — waits for their compose health
// checks, runs the README's command that creates the Grafana app's service token, and a disk
// test of the agent's member through opsproxy and the worker as the Disk page starts it.
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
	secretFile := func(name string) string {
		sec, ok := loadProject(t).Secrets[name]
		if !ok {
			t.Fatalf("docker-compose.yml declares no secret %s", name)
		}
		return filepath.Join(secrets, filepath.Base(sec.File))
	}
	// The agent of the first member, in a directory prepared as disk-agents-prepare does.
	const agent = "disk-agent-1"
	agentPort := etcdtest.FreePort(t)
	agentDir := filepath.Join(t.TempDir(), "diskprobe")
	if err := os.Mkdir(agentDir, 0o700); err != nil {
		t.Fatal(err)
	}
	agentSecrets := map[string]string{}
	for _, sec := range service(t, loadProject(t), agent).Secrets {
		agentSecrets[secretTarget(sec)] = secretFile(sec.Source)
	}
	web, _ := flagValue(service(t, loadProject(t), agent).Command, "web.config.file")

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
		// Only the agent started here, at its port; its password as init-secrets.sh wrote it.
		cluster := m["clusters"].([]any)[0].(map[string]any)
		var here []any
		for _, a := range cluster["disk_agents"].([]any) {
			entry := a.(map[string]any)
			if entry["member"] == diskAgents[agent] {
				entry["url"] = "http://" + listenHere(agentPort)
				entry["password_file"] = secretFile("diskprobe_opsproxy_password")
				here = append(here, entry)
			}
		}
		cluster["disk_agents"] = here
	})
	expCfg := localConfig(t, "exporter", func(m map[string]any) {
		m["clusters"].([]any)[0].(map[string]any)["endpoints"] = endpoints
	})

	ports := map[string]int{"exporter": etcdtest.FreePort(t), "opsproxy": etcdtest.FreePort(t), "worker": etcdtest.FreePort(t)}
	exp := start(t, "exporter", map[string]string{"config.file": expCfg, "web.listen-address": listenHere(ports["exporter"])})
	ops := start(t, "opsproxy", map[string]string{"config.file": opsCfg, "web.listen-address": listenHere(ports["opsproxy"])})
	// The agent's web configuration is the one init-secrets.sh writes: the agent refuses to
	// start when it does not authenticate the --probe.user. A scheduled probe only in a day, so
	// that none runs into the disk test's (the agent runs one probe at a time).
	agt := start(t, agent, map[string]string{"dir": agentDir, "web.config.file": agentSecrets[web],
		"web.listen-address": listenHere(agentPort)}, "--probe.interval=24h")
	waitHealthy(t, "exporter", exp, ports["exporter"], nil)
	waitHealthy(t, "opsproxy", ops, ports["opsproxy"], nil)
	waitHealthy(t, agent, agt, agentPort, agentSecrets)
	wrk := start(t, "worker", map[string]string{"config.file": opsCfg, "web.listen-address": listenHere(ports["worker"])})
	waitHealthy(t, "worker", wrk, ports["worker"], nil)

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

	// The agent: every request authenticated, Prometheus's user scrapes and may not probe.
	agentURL := "http://" + listenHere(agentPort)
	if code, _ := get(t, agentURL+"/metrics", nil); code != http.StatusUnauthorized {
		t.Errorf("the agent's /metrics without credentials: %d, want 401", code)
	}
	prometheus := basicAuth(t, "prometheus", secretFile("diskprobe_prometheus_password"))
	if code, body := get(t, agentURL+"/metrics", prometheus); code != http.StatusOK || !strings.Contains(body, "etcd_monitor_diskprobe_") {
		t.Errorf("the agent's /metrics as Prometheus scrapes it: %d\n%.2000s", code, body)
	}
	if code, body := do(t, http.MethodPost, agentURL+"/probe", prometheus, `{"profile": "agent"}`); code != http.StatusForbidden {
		t.Errorf("POST /probe as prometheus: %d %s, want 403 (only --probe.user opsproxy probes)", code, body)
	}

	// A disk test of the agent's member, as the Disk page starts it: opsproxy queues, the
	// worker calls the agent with the opsproxy password.
	bearer := map[string]string{"Authorization": "Bearer " + admin}
	if code, body := get(t, opsURL+"/api/v1/clusters/compose/disk-agents", bearer); code != http.StatusOK ||
		!strings.Contains(body, `"member":"`+diskAgents[agent]+`"`) || !strings.Contains(body, `"auth":"basic"`) {
		t.Errorf("the cluster's disk agents: %d %s", code, body)
	}
	code, body = do(t, http.MethodPost, opsURL+"/api/v1/jobs", bearer,
		`{"kind": "disktest", "cluster": "compose", "parameters": {"member": "`+diskAgents[agent]+`", "profile": "agent"}}`)
	var job struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  string `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &job); err != nil || job.ID == "" {
		t.Fatalf("enqueue a disk test: %d %s", code, body)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for job.Status != "succeeded" && job.Status != "failed" && job.Status != "cancelled" {
		if time.Now().After(deadline) {
			t.Fatalf("the disk test is still %s\nworker:\n%s\nagent:\n%s", job.Status, wrk.stderr, agt.stderr)
		}
		time.Sleep(500 * time.Millisecond)
		_, body := get(t, opsURL+"/api/v1/jobs/"+job.ID, bearer)
		if err := json.Unmarshal([]byte(body), &job); err != nil {
			t.Fatalf("job %s: %v: %s", job.ID, err, body)
		}
	}
	if job.Status != "succeeded" {
		t.Errorf("the disk test %s: %s\nworker:\n%s\nagent:\n%s", job.Status, job.Error, wrk.stderr, agt.stderr)
	}
	if _, body := get(t, agentURL+"/metrics", prometheus); !strings.Contains(body, `trigger="demand"`) {
		t.Errorf("the agent's metrics show no probe on demand after the disk test:\n%.2000s", body)
	}

	// No secret in what the processes printed.
	var diskprobePasswords []string
	for _, name := range []string{"diskprobe_opsproxy_password", "diskprobe_prometheus_password", "diskprobe_healthcheck_password"} {
		b, err := os.ReadFile(secretFile(name))
		if err != nil {
			t.Fatal(err)
		}
		diskprobePasswords = append(diskprobePasswords, strings.TrimSpace(string(b)))
	}
	for name, p := range map[string]*process{"exporter": exp, "opsproxy": ops, "worker": wrk, agent: agt} {
		for _, secret := range append([]string{admin, svcToken}, diskprobePasswords...) {
			if strings.Contains(p.stderr.String(), secret) {
				t.Errorf("%s's log shows a token or password", name)
			}
		}
	}
}
