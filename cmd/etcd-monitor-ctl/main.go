// Command etcd-monitor-ctl is `etcd-monitor ctl` as a binary of its own: the same flags, the same
// etcdctl words, output and exit codes, without the ctl word. It links only the client side
// (no etcd server, exporter or opsproxy packages), so a script that runs it once per command
// pays about what it pays for etcdctl; `etcd-monitor ctl` pays for initialising the whole suite
// on every start (docs/performance.md, "ctl one-shot").
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"

	"github.com/etcd-monitor/etcd-monitor/ctl"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	app := kingpin.New("etcd-monitor-ctl", "Run etcdctl commands through opsproxy (roles and audit): one command as etcdctl would, or an interactive shell with none. The same as `etcd-monitor ctl`.")
	logCfg := &promslog.Config{}
	promslogflag.AddFlags(app, logCfg)
	app.Version(version.Print("etcd-monitor-ctl"))
	app.HelpFlag.Short('h')
	cmd := ctl.RegisterStandalone(app)
	if _, err := app.Parse(cmd.Split(args)); err != nil {
		fmt.Fprintf(os.Stderr, "etcd-monitor-ctl: %v (try --help)\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cmd.Run(ctx, promslog.New(logCfg))
}
