package benchrunner

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

const longHelp = `etcd-monitor bench is etcd's benchmark tool (v3.6) measured right: the same commands, flags
and report, with HDR histograms, latency from each request's intended start when --rate is
set (service time beside it), per-second samples, and keys written only under --prefix and
deleted afterwards.`

// globalFlagSet declares the global flags (with -h when help is set).
func globalFlagSet(help bool) *pflag.FlagSet {
	fs := pflag.NewFlagSet(toolName, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addConnectionFlags(fs)
	addLoadFlags(fs)
	if help {
		fs.BoolP("help", "h", false, "help for bench")
	}
	return fs
}

// rootUsage is the help `etcd-monitor bench` prints, laid out as cobra lays out etcd's.
func rootUsage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nUsage:\n  %s [command]\n\nAvailable Commands:\n", longHelp, toolName)
	fmt.Fprintf(&b, "  %-15s %s\n", "help", "Help about any command")
	for _, name := range CommandNames() {
		cmd, _ := commandByName(name)
		fmt.Fprintf(&b, "  %-15s %s\n", cmd.Name, cmd.Short)
	}
	// check and report are etcd-monitor's own, dispatched by the command before this drop-in.
	fmt.Fprintf(&b, "\netcd-monitor's own (the first word after bench):\n")
	fmt.Fprintf(&b, "  %-15s %s\n", "check", "Run an SLO profile (etcdctl check perf's s, m, l, xl; k8s-large; --profiles FILE) and give a verdict")
	fmt.Fprintf(&b, "  %-15s %s\n", "report", "Write one self-contained HTML page of runs saved with -w json (-o FILE)")
	fmt.Fprintf(&b, "\nFlags:\n%s\nUse \"%s [command] --help\" for more information about a command.\n",
		globalFlagSet(true).FlagUsages(), toolName)
	return b.String()
}

// commandUsage is a command's usage, laid out as cobra lays out etcd's.
func commandUsage(cmd commandSpec) string {
	own := pflag.NewFlagSet(cmd.Name, pflag.ContinueOnError)
	addCommandFlags(own, cmd)
	own.BoolP("help", "h", false, "help for "+cmd.Name)
	return fmt.Sprintf("Usage:\n  %s %s [flags]\n\nFlags:\n%s\nGlobal Flags:\n%s",
		toolName, cmd.Use, own.FlagUsages(), globalFlagSet(false).FlagUsages())
}
