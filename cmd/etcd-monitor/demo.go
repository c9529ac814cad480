package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/etcd-monitor/etcd-monitor/exporter"
	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
	"github.com/etcd-monitor/etcd-monitor/internal/localagents"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// demoCommand is `etcd-monitor demo`: an in-process 3-member etcd cluster, the exporter and
// opsproxy against it, on embedded defaults (bbolt history store), with nothing to install.
type demoCommand struct {
	cmd        *kingpin.CmdClause
	listen     string
	opsListen  string
	members    int
	dataDir    string
	exitAfter  time.Duration
	sampleRows int
	monitoring bool
}

func registerDemo(app *kingpin.Application) *demoCommand {
	d := &demoCommand{cmd: app.Command("demo", "Run an in-process etcd cluster, the exporter and opsproxy against it.")}
	d.cmd.Flag("web.listen-address", "Address of the exporter.").Default("127.0.0.1:9979").StringVar(&d.listen)
	d.cmd.Flag("opsproxy.listen-address", "Address of opsproxy.").Default("127.0.0.1:9980").StringVar(&d.opsListen)
	d.cmd.Flag("members", "Members of the demo etcd cluster.").Default("3").IntVar(&d.members)
	d.cmd.Flag("data-dir", "Directory for the demo's data (default: a new temporary directory, removed at exit).").StringVar(&d.dataDir)
	d.cmd.Flag("exit-after", "Stop by itself after this long (0: run until interrupted).").Default("0s").DurationVar(&d.exitAfter)
	d.cmd.Flag("sample-lines", "Lines of /metrics to print once the exporter is up.").Default("12").IntVar(&d.sampleRows)
	d.cmd.Flag("monitoring", "Also run Prometheus (with the suite's rules) and Alertmanager (with its configuration) when they are installed.").Default("true").BoolVar(&d.monitoring)
	return d
}

func (d *demoCommand) FullCommand() string { return d.cmd.FullCommand() }

func (d *demoCommand) Run(ctx context.Context, logger *slog.Logger) int {
	if err := d.run(ctx, logger); err != nil {
		fmt.Fprintf(os.Stderr, "etcd-monitor demo: %v\n", err)
		return 1
	}
	return 0
}

func (d *demoCommand) run(ctx context.Context, logger *slog.Logger) error {
	if d.members < 1 {
		return fmt.Errorf("--members: must be at least 1")
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	if d.exitAfter > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.exitAfter)
		defer cancel()
	}
	dir := d.dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "etcd-monitor-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	// Fail early, before etcd starts, when an address is taken.
	for flag, addr := range map[string]string{"--web.listen-address": d.listen, "--opsproxy.listen-address": d.opsListen} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("%s: %w", flag, err)
		}
		l.Close()
	}

	fmt.Printf("starting a %d-member etcd cluster in %s …\n", d.members, dir)
	cluster, err := embedetcd.Start(embedetcd.Config{Dir: filepath.Join(dir, "etcd"), Size: d.members})
	if err != nil {
		return fmt.Errorf("start etcd: %w", err)
	}
	defer cluster.Close()

	configFile := filepath.Join(dir, "etcd-monitor.yml")
	config := fmt.Sprintf(`# Written by etcd-monitor demo. Edit it and POST /-/reload (or send SIGHUP) to apply.
clusters:
  - name: demo
    endpoints: [%s]
    dial_timeout: 2s
    request_timeout: 2s
probes:
  hashkv_interval: 30s
  key_prefixes: [/demo/]
  canary:
    enabled: true
`, strings.Join(cluster.Endpoints(), ", "))
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		return err
	}
	cfg, err := exporter.LoadConfig(configFile)
	if err != nil {
		return err
	}
	e, err := exporter.New(cfg, logger, exporter.Options{ConfigFile: configFile, EnableLifecycle: true})
	if err != nil {
		return err
	}
	defer e.Close()

	// A diskprobe agent per member, probing under the demo's directory (the disk the members
	// write to) with the agent's small profile, and periodically as on a real host.
	var members []string
	for _, m := range cluster.Members {
		members = append(members, m.Name)
	}
	agents, err := localagents.Start(localagents.Options{Dir: filepath.Join(dir, "diskprobe"), Members: members, Scheduled: true,
		Logger: logger.With("component", "diskprobe-agent")})
	if err != nil {
		return fmt.Errorf("start the disk agents: %w", err)
	}
	defer agents.Close()

	ops, token, err := startDemoOpsproxy(ctx, dir, cluster.Endpoints(), agents.YAML("    "), logger)
	if err != nil {
		return err
	}
	defer ops.Close()

	serveErr := make(chan error, 2)
	go func() { serveErr <- exporter.Serve(ctx, e, webFlags(d.listen), logger) }()
	go func() { serveErr <- opsproxy.Serve(ctx, ops, webFlags(d.opsListen), logger) }()

	base := "http://" + d.listen
	sample, err := waitForMetrics(ctx, base+"/metrics", d.sampleRows)
	if err != nil {
		return err
	}
	monitoring := &demoMonitoring{}
	if d.monitoring {
		agentURLs := map[string]string{}
		for _, a := range agents.Agents {
			agentURLs[a.Member] = a.URL
		}
		monitoring = startDemoMonitoring(ctx, dir, demoTargets{Members: cluster.Endpoints(), Exporter: d.listen, Opsproxy: d.opsListen, Agents: agentURLs}, logger)
	}
	defer monitoring.Close()
	opsBase := "http://" + d.opsListen + "/api/v1"
	// A first write and read through opsproxy, so the demo shows the API answering (and the audit
	// log has something in it).
	opsAnswer, err := demoOpsproxyRoundTrip(ctx, opsBase, token)
	if err != nil {
		return fmt.Errorf("opsproxy: %w", err)
	}
	fmt.Printf(`
etcd cluster:   %s   (--endpoints of etcdctl and etcd-monitor bench)
config files:   %s   (the exporter's; edit it, then POST /-/reload)
                %s   (opsproxy's, read at start)
exporter:       %s/metrics        (every configured cluster)
                %s/probe?target=demo  (one cluster, for multi-target scraping)
                %s/probe?target=demo&debug=true
etcd's own:     %s/metrics
opsproxy:       %s   (admin token below, shown once)
                http://%s/metrics   (opsproxy's own metrics)
%s
disk agents:    %s   (diskprobe, one per member; the console's Disk page runs their probes)
%s

a few lines of %s/metrics:
%s
opsproxy answered GET /clusters/demo/keys?key=/demo/hello:
  %s

try opsproxy:
  export TOKEN=%s
  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -X PUT %s/clusters/demo/keys -d '{"key":"/demo/hello","value":"world"}'
  curl -s -H "Authorization: Bearer $TOKEN" "%s/clusters/demo/keys?key=/demo/&prefix=true"
  curl -s -H "Authorization: Bearer $TOKEN" %s/clusters/demo/endpoints
  curl -s -H "Authorization: Bearer $TOKEN" "%s/audit?order=desc&limit=5"
  curl -s -H "Authorization: Bearer $TOKEN" %s/audit/verify   # sealed: signed checkpoints in a witness file
  curl -s -H "Authorization: Bearer $TOKEN" %s/clusters/demo/disk-agents

Press Ctrl-C to stop.
`, strings.Join(cluster.Endpoints(), ","), configFile, demoOpsproxyConfigFile(dir), base, base, base, cluster.Endpoints()[0], opsBase, d.opsListen,
		demoConsoleLines(d.opsListen), demoAgentLines(agents), monitoring.Lines(), base, sample, opsAnswer, token, opsBase, opsBase, opsBase, opsBase, opsBase, opsBase)

	// Both servers stop when ctx ends; the first error of either stops the demo.
	var firstErr error
	for range 2 {
		if err := <-serveErr; err != nil && firstErr == nil {
			firstErr = err
			stop()
		}
	}
	if firstErr != nil {
		return firstErr
	}
	fmt.Println("stopped.")
	return nil
}

// demoAgentLines lists the disk agents, member=URL.
func demoAgentLines(s *localagents.Set) string {
	var out []string
	for _, a := range s.Agents {
		out = append(out, a.Member+"="+a.URL)
	}
	return strings.Join(out, " ")
}

// startDemoOpsproxy starts opsproxy on the embedded history store in dir, for the demo cluster
// with its disk agents (a disk_agents section), and makes an admin token for the person
// running the demo.
func startDemoOpsproxy(ctx context.Context, dir string, endpoints []string, diskAgents string, logger *slog.Logger) (*opsproxy.Server, string, error) {
	configFile := demoOpsproxyConfigFile(dir)
	// The demo's audit log is sealed: a signing key of its own, checkpoints to a witness file.
	keyFile := filepath.Join(dir, "audit-signing.key")
	if _, err := auditseal.GenerateKey(keyFile); err != nil {
		return nil, "", err
	}
	// The demo backs up to a directory of its own every five minutes, keeps the last six and
	// drills the newest verified one every half hour: the console's Backups page has something
	// to show, and to restore from.
	backups := filepath.Join(dir, "backups")
	for _, d := range []string{backups, filepath.Join(dir, "backup-scratch")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, "", err
		}
	}
	config := fmt.Sprintf(`# Written by etcd-monitor demo.
clusters:
  - name: demo
    endpoints: [%s]
%sstore:
  path: %s
maintenance:
  snapshot_dir: %s
  restore_dir: %s
audit:
  spool_dir: %s
  signing_key_file: %s
  witness:
    file: %s
backups:
  scratch_dir: %s
  locations:
    - name: local
      dir: %s
  clusters:
    demo:
      - location: local
        schedule: "*/5 * * * *"
        retention: {count: 6}
        drill_schedule: "*/30 * * * *"
`, strings.Join(endpoints, ", "), diskAgents, filepath.Join(dir, "history.db"), filepath.Join(dir, "snapshots"), filepath.Join(dir, "restores"),
		filepath.Join(dir, "audit-spool"), keyFile, filepath.Join(dir, "audit-witness.jsonl"), filepath.Join(dir, "backup-scratch"), backups)
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		return nil, "", err
	}
	cfg, err := opsproxy.LoadConfig(configFile)
	if err != nil {
		return nil, "", err
	}
	srv, err := opsproxy.New(ctx, cfg, logger, opsproxy.Options{})
	if err != nil {
		return nil, "", fmt.Errorf("start opsproxy: %w", err)
	}
	secret, _, err := srv.CreateToken(ctx, opsproxy.TokenSpec{Name: "demo-admin", Role: "admin", CreatedBy: "etcd-monitor demo"})
	if err != nil {
		srv.Close()
		return nil, "", fmt.Errorf("create the demo's admin token: %w", err)
	}
	return srv, secret, nil
}

// demoOpsproxyConfigFile is where the demo writes opsproxy's configuration.
func demoOpsproxyConfigFile(dir string) string { return filepath.Join(dir, "opsproxy.yml") }

// demoOpsproxyRoundTrip puts /demo/hello through opsproxy and returns the answer to reading it.
func demoOpsproxyRoundTrip(ctx context.Context, base, token string) (string, error) {
	var answer string
	for _, req := range []struct{ method, url, body string }{
		{http.MethodPut, base + "/clusters/demo/keys", `{"key":"/demo/hello","value":"world"}`},
		{http.MethodGet, base + "/clusters/demo/keys?key=/demo/hello", ""},
	} {
		var body io.Reader
		if req.body != "" {
			body = strings.NewReader(req.body)
		}
		r, err := http.NewRequestWithContext(ctx, req.method, req.url, body)
		if err != nil {
			return "", err
		}
		r.Header.Set("Authorization", "Bearer "+token)
		resp, err := waitForAnswer(ctx, r)
		if err != nil {
			return "", err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%s %s: HTTP %d %s", req.method, req.url, resp.StatusCode, out)
		}
		answer = strings.TrimSpace(string(out))
	}
	return answer, nil
}

// waitForAnswer sends the request, retrying while the server is not listening yet.
func waitForAnswer(ctx context.Context, r *http.Request) (*http.Response, error) {
	for {
		req := r.Clone(ctx)
		if r.GetBody != nil {
			req.Body, _ = r.GetBody()
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			return resp, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no answer: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func webFlags(addr string) *web.FlagConfig {
	systemd, webConfig := false, ""
	return &web.FlagConfig{WebListenAddresses: &[]string{addr}, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
}

// demoSampleMetrics are the metrics whose lines the demo prints once the exporter is up.
var demoSampleMetrics = []string{
	"etcd_monitor_member_healthy", "etcd_monitor_cluster_has_leader", "etcd_monitor_cluster_healthy_voters",
	"etcd_monitor_cluster_failure_tolerance", "etcd_monitor_cluster_consistent", "etcd_monitor_canary_success",
	"etcd_monitor_keys",
}

// waitForMetrics polls /metrics until the exporter answers, and returns its cluster lines.
func waitForMetrics(ctx context.Context, url string, lines int) (string, error) {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return "", err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var out []string
			for _, l := range strings.Split(string(body), "\n") {
				for _, name := range demoSampleMetrics {
					if strings.HasPrefix(l, name+"{") {
						out = append(out, "  "+l)
					}
				}
				if len(out) == lines {
					break
				}
			}
			return strings.Join(out, "\n") + "\n", nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("exporter did not answer: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
