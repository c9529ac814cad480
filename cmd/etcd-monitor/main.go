// Command etcd-monitor is the one binary of the suite, with a subcommand per component.
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

	"github.com/etcd-monitor/etcd-monitor/backup"
	backupcli "github.com/etcd-monitor/etcd-monitor/backup/cli"
	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/ctl"
	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	diskprobeagent "github.com/etcd-monitor/etcd-monitor/diskprobe/agent"
	"github.com/etcd-monitor/etcd-monitor/exporter"
	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/healthcheck"
	"github.com/etcd-monitor/etcd-monitor/internal/store/open"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	// bench parses its own command line, with etcd benchmark's cobra-style flags (--total=100
	// and --total 100, anywhere after the command), which kingpin's grammar cannot express.
	if len(args) > 0 && args[0] == "bench" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return bench(ctx, args[1:], benchrunner.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	}
	app := kingpin.New("etcd-monitor", "Watches and operates etcd clusters.")
	logCfg := &promslog.Config{}
	promslogflag.AddFlags(app, logCfg)
	app.Version(version.Print("etcd-monitor"))
	app.HelpFlag.Short('h')

	exp := exporter.RegisterCommand(app)
	ops := opsproxy.RegisterCommand(app)
	worker := opsproxy.RegisterWorkerCommand(app)
	demo := registerDemo(app)
	audit := auditseal.RegisterCommand(app)
	storeCmd := open.RegisterCommand(app)
	ctlCmd := ctl.RegisterCommand(app)
	dp := diskprobe.RegisterCommand(app)
	dpServe := diskprobeagent.RegisterCommand(dp.Clause())
	// A restore drill's throwaway etcd member: the backup engine re-executes this binary with it.
	backupCmd := backupcli.RegisterCommand(app)
	drillMember := app.Command(backup.DrillMemberCommand, "Run a restore drill's throwaway etcd member (started by the backup engine).").Hidden()
	health := healthcheck.RegisterCommand(app)
	// Listed in --help; `etcd-monitor bench …` is dispatched above, before kingpin parses.
	app.Command("bench", "Load-test etcd as etcd's benchmark tool does, measured right (etcd-monitor bench --help).")

	// etcdctl's words after `ctl` are not kingpin's to parse.
	chosen, err := app.Parse(ctlCmd.Split(args))
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd-monitor: %v (try --help)\n", err)
		return 2
	}
	logger := promslog.New(logCfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch {
	case chosen == drillMember.FullCommand():
		return backup.RunDrillMember()
	case backupCmd.Matches(chosen):
		return backupCmd.Run(ctx, logger)
	case chosen == exp.FullCommand():
		return exp.Run(ctx, logger)
	case ops.Matches(chosen):
		return ops.Run(ctx, logger)
	case chosen == worker.FullCommand():
		return worker.Run(ctx, logger)
	case chosen == demo.FullCommand():
		return demo.Run(ctx, logger)
	case audit.Matches(chosen):
		return audit.Run(ctx, logger)
	case storeCmd.Matches(chosen):
		return storeCmd.Run(ctx, logger)
	case ctlCmd.Matches(chosen):
		return ctlCmd.Run(ctx, logger)
	case dp.Matches(chosen):
		return dp.Run(ctx, logger)
	case dpServe.Matches(chosen):
		return dpServe.Run(ctx, logger)
	case chosen == health.FullCommand():
		return health.Run(ctx)
	}
	fmt.Fprintf(os.Stderr, "etcd-monitor: unknown command %q\n", chosen)
	return 2
}
