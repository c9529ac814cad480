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
	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
)

// demoCommand is `etcd-monitor demo`: an in-process 3-member etcd cluster and the exporter
// against it, on embedded defaults, with nothing to install.
type demoCommand struct {
	cmd        *kingpin.CmdClause
	listen     string
	members    int
	dataDir    string
	exitAfter  time.Duration
	sampleRows int
}

func registerDemo(app *kingpin.Application) *demoCommand {
	d := &demoCommand{cmd: app.Command("demo", "Run an in-process etcd cluster and the exporter against it.")}
	d.cmd.Flag("web.listen-address", "Address of the exporter.").Default("127.0.0.1:9979").StringVar(&d.listen)
	d.cmd.Flag("members", "Members of the demo etcd cluster.").Default("3").IntVar(&d.members)
	d.cmd.Flag("data-dir", "Directory for the demo's data (default: a new temporary directory, removed at exit).").StringVar(&d.dataDir)
	d.cmd.Flag("exit-after", "Stop by itself after this long (0: run until interrupted).").Default("0s").DurationVar(&d.exitAfter)
	d.cmd.Flag("sample-lines", "Lines of /metrics to print once the exporter is up.").Default("12").IntVar(&d.sampleRows)
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
	// Fail early, before etcd starts, when the exporter's address is taken.
	l, err := net.Listen("tcp", d.listen)
	if err != nil {
		return fmt.Errorf("--web.listen-address: %w", err)
	}
	l.Close()

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
	e, err := exporter.New(cfg, logger, exporter.Options{ConfigFile: configFile})
	if err != nil {
		return err
	}
	defer e.Close()

	serveErr := make(chan error, 1)
	systemd, webConfig := false, ""
	flags := &web.FlagConfig{WebListenAddresses: &[]string{d.listen}, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
	go func() { serveErr <- exporter.Serve(ctx, e, flags, logger) }()

	base := "http://" + d.listen
	sample, err := waitForMetrics(ctx, base+"/metrics", d.sampleRows)
	if err != nil {
		return err
	}
	fmt.Printf(`
etcd cluster:   %s
config file:    %s
exporter:       %s/metrics        (every configured cluster)
                %s/probe?target=demo  (one cluster, for multi-target scraping)
                %s/probe?target=demo&debug=true
etcd's own:     %s/metrics

a few lines of %s/metrics:
%s
Press Ctrl-C to stop.
`, strings.Join(cluster.Endpoints(), " "), configFile, base, base, base, cluster.Endpoints()[0], base, sample)

	select {
	case err := <-serveErr:
		if err != nil {
			return fmt.Errorf("exporter: %w", err)
		}
	case <-ctx.Done():
		if err := <-serveErr; err != nil {
			return fmt.Errorf("exporter: %w", err)
		}
	}
	fmt.Println("stopped.")
	return nil
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
