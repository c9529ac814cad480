package main

import (
	"context"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// bench runs `etcd-monitor bench ARGS…`: check and report are ours (SLO verdicts and the HTML
// report); everything else is the drop-in for etcd's benchmark tool.
func bench(ctx context.Context, args []string, stdio benchrunner.IO) int {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return benchCheck(ctx, args[1:], stdio)
		case "report":
			return benchReport(args[1:], stdio)
		}
	}
	return benchrunner.Main(ctx, args, stdio)
}
