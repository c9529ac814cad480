package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// benchGCPercent is the Go collector's GOGC for `etcd-monitor bench`, unless GOGC is set. A run
// keeps fixed-size histograms, so its live heap stays at a few MiB whatever --total is, and with
// Go's default of 100 the collector runs every few MiB allocated: about three times as often as
// in etcd's tool, whose heap grows with every latency it keeps, and marking then costs most of
// the CPU per request between the two. At 400 the heap peaks near 30 MiB, still constant, and
// the load generator takes less CPU from the machine it measures (docs/performance.md).
const benchGCPercent = 400

// benchMemoryLimit is the soft limit on the Go heap for `etcd-monitor bench`, unless GOMEMLIMIT
// is set: the collector works harder as the heap nears it, so the peak RSS stays under 64 MiB
// (the binary's own resident pages are about 26 MiB of it) also when many clients or large
// values make a run's heap larger than usual.
const benchMemoryLimit = 34 << 20

// bench runs `etcd-monitor bench ARGS…`: check and report are ours (SLO verdicts and the HTML
// report); everything else is the drop-in for etcd's benchmark tool.
func bench(ctx context.Context, args []string, stdio benchrunner.IO) int {
	tuneCollectorForBench()
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

// tuneCollectorForBench sets benchGCPercent and benchMemoryLimit, each unless its environment
// variable (GOGC, GOMEMLIMIT) says otherwise.
func tuneCollectorForBench() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(benchGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(benchMemoryLimit)
	}
}
