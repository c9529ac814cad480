package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"
)

// Command is the `etcd-monitor exporter` subcommand.
type Command struct {
	cmd            *kingpin.CmdClause
	configFile     string
	configCheck    bool
	timeoutOffset  time.Duration
	defaultTimeout time.Duration
	lifecycle      bool
	webFlags       *web.FlagConfig
}

// RegisterCommand adds the exporter subcommand and its flags to the application.
func RegisterCommand(app *kingpin.Application) *Command {
	c := &Command{cmd: app.Command("exporter", "Probe etcd clusters and serve /metrics and /probe for Prometheus.")}
	c.cmd.Flag("config.file", "Exporter configuration file.").Default("etcd-monitor.yml").StringVar(&c.configFile)
	c.cmd.Flag("config.check", "Check the configuration file and exit.").BoolVar(&c.configCheck)
	c.cmd.Flag("scrape.timeout-offset", "Subtracted from Prometheus's scrape timeout, to leave time for the answer.").
		Default("500ms").DurationVar(&c.timeoutOffset)
	c.cmd.Flag("scrape.default-timeout", "Scrape timeout when the request does not carry X-Prometheus-Scrape-Timeout-Seconds.").
		Default("10s").DurationVar(&c.defaultTimeout)
	c.cmd.Flag("web.enable-lifecycle", "Enable reloading the configuration with POST /-/reload (SIGHUP always reloads).").
		Default("false").BoolVar(&c.lifecycle)
	c.webFlags = kingpinflag.AddFlags(c.cmd, ":9979")
	addProbeFlags(c.cmd)
	return c
}

// FullCommand is the name kingpin reports when this subcommand was chosen.
func (c *Command) FullCommand() string { return c.cmd.FullCommand() }

// Run loads the configuration and serves until ctx ends. It returns the process exit code.
func (c *Command) Run(ctx context.Context, logger *slog.Logger) int {
	cfg, err := LoadConfig(c.configFile)
	if err != nil {
		logger.Error("invalid configuration", "file", c.configFile, "err", err)
		fmt.Fprintf(os.Stderr, "etcd-monitor exporter: %v\n", err)
		return 1
	}
	if c.configCheck {
		fmt.Printf("%s: OK, %d cluster(s)\n", c.configFile, len(cfg.Clusters))
		return 0
	}
	e, err := New(cfg, logger, Options{ConfigFile: c.configFile, DefaultTimeout: c.defaultTimeout, TimeoutOffset: c.timeoutOffset,
		EnableLifecycle: c.lifecycle})
	if err != nil {
		logger.Error("cannot start", "err", err)
		return 1
	}
	defer e.Close()
	logger.Info("starting etcd-monitor exporter", "version", version.Info(), "clusters", len(cfg.Clusters))
	if err := Serve(ctx, e, c.webFlags, logger); err != nil {
		logger.Error("server stopped", "err", err)
		return 1
	}
	return 0
}

// Serve runs the exporter's HTTP server (TLS and basic auth per --web.config.file) until ctx ends,
// reloading the configuration on SIGHUP.
func Serve(ctx context.Context, e *Exporter, flags *web.FlagConfig, logger *slog.Logger) error {
	h, err := e.Handler()
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				_ = e.Reload()
			case <-ctx.Done():
				return
			}
		}
	}()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, flags, logger) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
