package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

// DefaultListenAddress is the agent's default --web.listen-address.
const DefaultListenAddress = ":9982"

// Command is `etcd-monitor diskprobe serve`.
type Command struct {
	cmd        *kingpin.CmdClause
	dir        string
	walDir     string
	interval   time.Duration
	jitter     float64
	profile    string
	size       string
	blockSize  string
	threshold  time.Duration
	engine     string
	fioPath    string
	budget     string
	probeUsers []string
	webFlags   *web.FlagConfig
	// Stderr receives the errors that stop the command before it serves (default os.Stderr).
	Stderr io.Writer
}

// RegisterCommand adds `serve` and its flags under parent (the `diskprobe` command).
func RegisterCommand(parent *kingpin.CmdClause) *Command {
	c := &Command{Stderr: os.Stderr}
	c.cmd = parent.Command("serve", "Run the agent on an etcd host: scheduled small probes within an I/O budget, /metrics, and probes on demand (POST /probe).")
	c.cmd.Flag("dir", "Directory to probe in, on the filesystem of the member's WAL (e.g. the member's --data-dir); each probe makes and removes its own subdirectory.").
		Required().PlaceHolder("DIR").StringVar(&c.dir)
	c.cmd.Flag("wal-dir", "The member's WAL directory, when etcd runs with --wal-dir: probes run on its filesystem.").PlaceHolder("DIR").StringVar(&c.walDir)
	c.cmd.Flag("probe.interval", "Mean time between two scheduled probes.").Default(DefaultInterval.String()).DurationVar(&c.interval)
	c.cmd.Flag("probe.jitter", "Spread of the scheduled probes: each wait is interval ± jitter×interval (0 ≤ jitter < 1).").
		Default(fmt.Sprint(DefaultJitter)).Float64Var(&c.jitter)
	c.cmd.Flag("probe.profile", "Job of the scheduled probes: agent (2 MiB in 2,300-byte writes), etcd or openshift.").Default("agent").StringVar(&c.profile)
	c.cmd.Flag("probe.size", "Bytes each scheduled probe writes, e.g. 2m (default: the profile's).").PlaceHolder("SIZE").StringVar(&c.size)
	c.cmd.Flag("probe.block-size", "Bytes of each write, each followed by fdatasync, e.g. 2300 (default: the profile's).").PlaceHolder("SIZE").StringVar(&c.blockSize)
	c.cmd.Flag("probe.threshold", "p99 sync latency line of the scheduled probes' verdicts.").Default(DefaultThreshold.String()).DurationVar(&c.threshold)
	c.cmd.Flag("probe.engine", "Engine of the scheduled probes: native or fio.").Default(string(diskprobe.EngineNative)).EnumVar(&c.engine, string(diskprobe.EngineNative), string(diskprobe.EngineFio))
	c.cmd.Flag("probe.fio-path", "fio executable for the fio engine (default: fio from PATH).").PlaceHolder("PATH").StringVar(&c.fioPath)
	c.cmd.Flag("probe.max-bytes-per-hour", "I/O budget: bytes all probes together, scheduled and on demand, may write within any hour; a probe that would exceed it does not start.").
		Default("256m").StringVar(&c.budget)
	c.cmd.Flag("probe.user", "A basic auth user (or verified client certificate common name) of --web.config.file allowed to POST /probe; repeatable. Without it, every caller the web config lets in may.").
		PlaceHolder("NAME").StringsVar(&c.probeUsers)
	c.webFlags = kingpinflag.AddFlags(c.cmd, DefaultListenAddress)
	return c
}

// Matches reports whether kingpin chose this command.
func (c *Command) Matches(chosen string) bool { return chosen == c.cmd.FullCommand() }

// Config is the agent's configuration from the command line.
func (c *Command) Config() (Config, error) {
	job, err := diskprobe.ProfileJob(c.profile)
	if err != nil {
		return Config{}, fmt.Errorf("--probe.profile: %w", err)
	}
	size := func(flag, v string) (int64, error) {
		if v == "" {
			return 0, nil
		}
		n, err := diskprobe.ParseSize(v)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", flag, err)
		}
		return n, nil
	}
	if n, err := size("--probe.size", c.size); err != nil {
		return Config{}, err
	} else if n > 0 {
		job.Profile, job.Size, job.Preallocate = "custom", n, min(job.Preallocate, n)
	}
	if n, err := size("--probe.block-size", c.blockSize); err != nil {
		return Config{}, err
	} else if n > 0 {
		job.Profile, job.BlockSize = "custom", n
	}
	budget, err := size("--probe.max-bytes-per-hour", c.budget)
	if err != nil {
		return Config{}, err
	}
	if budget == 0 {
		return Config{}, fmt.Errorf("--probe.max-bytes-per-hour: must be above 0")
	}
	webConfig := ""
	if c.webFlags.WebConfigFile != nil {
		webConfig = *c.webFlags.WebConfigFile
	}
	return Config{Dir: c.dir, WALDir: c.walDir, Interval: c.interval, Jitter: c.jitter, Job: job, Threshold: c.threshold,
		Engine: diskprobe.Engine(c.engine), FioPath: c.fioPath, MaxBytesPerHour: budget,
		ProbeUsers: c.probeUsers, WebConfigFile: webConfig}, nil
}

// Run serves the agent until ctx ends and returns the exit code. Stopping cancels the running
// probe, whose directory the engine removes.
func (c *Command) Run(ctx context.Context, logger *slog.Logger) int {
	cfg, err := c.Config()
	if err == nil && c.webFlags.WebConfigFile != nil {
		if verr := web.Validate(*c.webFlags.WebConfigFile); verr != nil {
			err = fmt.Errorf("--web.config.file: %w", verr)
		}
	}
	if err != nil {
		fmt.Fprintf(c.Stderr, "etcd-monitor diskprobe serve: %v\n", err)
		return 2
	}
	a, err := New(cfg, logger, newRegistry())
	if err != nil {
		fmt.Fprintf(c.Stderr, "etcd-monitor diskprobe serve: %v\n", err)
		return 2
	}
	logger.Info("starting etcd-monitor diskprobe agent", "version", version.Info(), "dir", cfg.Dir)
	if err := Serve(ctx, a, c.webFlags, logger); err != nil {
		logger.Error("agent stopped", "err", err)
		return 1
	}
	return 0
}

// newRegistry holds the agent's build, Go runtime and process metrics; New adds its own.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(versioncollector.NewCollector("etcd_monitor_diskprobe"), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Serve runs the scheduled probes and the HTTP server (TLS and basic auth per
// --web.config.file) until ctx ends. Requests' contexts derive from ctx, so that stopping the
// agent stops an on-demand probe too.
func Serve(ctx context.Context, a *Agent, flags *web.FlagConfig, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
		ErrorLog:    slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.Run(ctx)
	}()
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, flags, logger) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer scancel()
	if serr := srv.Shutdown(sctx); serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
