package benchapi

import (
	"testing"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// BenchmarkCompareOneMinuteRuns is the cost of one comparison of two 60-second runs (2000
// bootstrap resamples per metric): what GET /benchmarks/{id}/compare spends, and what a scrape
// of the benchmark metrics spends per series with a baseline.
func BenchmarkCompareOneMinuteRuns(b *testing.B) {
	base := Run{Report: benchrunner.Report{Command: "put", Samples: samples(60, 1000, 0.01)}}
	run := Run{Report: benchrunner.Report{Command: "put", Samples: samples(60, 950, 0.012)}}
	b.ReportAllocs()
	for b.Loop() {
		Compare(run, base)
	}
}
