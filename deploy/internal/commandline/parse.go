package commandline

import (
	"fmt"
	"io"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	diskprobeagent "github.com/etcd-monitor/etcd-monitor/diskprobe/agent"
	"github.com/etcd-monitor/etcd-monitor/exporter"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

// Parse parses args (what follows the program name) with the flags and commands of the
// long-running subcommands (exporter, opsproxy, worker, diskprobe serve) and the global
// logging flags, registered as cmd/etcd-monitor registers them, and returns the command
// kingpin chose ("exporter", "opsproxy serve", "worker", "diskprobe serve").
func Parse(args []string) (string, error) {
	app := kingpin.New("etcd-monitor", "")
	app.Terminate(nil)
	app.UsageWriter(io.Discard)
	app.ErrorWriter(io.Discard)
	promslogflag.AddFlags(app, &promslog.Config{})
	exporter.RegisterCommand(app)
	opsproxy.RegisterCommand(app)
	opsproxy.RegisterWorkerCommand(app)
	dp := diskprobe.RegisterCommand(app)
	diskprobeagent.RegisterCommand(dp.Clause())
	chosen, err := app.Parse(args)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", args, err)
	}
	return chosen, nil
}
