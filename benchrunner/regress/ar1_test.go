package regress

import (
	"math"
	"math/rand/v2"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// ar1Run makes n seconds of a run whose throughput and p99 follow AR(1) processes: each second
// keeps phi of the previous second's deviation from the mean, as a server's throughput does
// across a compaction or a slow fsync. cv is the coefficient of variation of each figure.
func ar1Run(rng *rand.Rand, n int, throughput, p99, phi, cv float64) []benchrunner.Sample {
	out := make([]benchrunner.Sample, n)
	innovation := math.Sqrt(1 - phi*phi)
	var et, ep float64
	for i := range out {
		if i == 0 {
			et, ep = rng.NormFloat64(), rng.NormFloat64()
		} else {
			et = phi*et + innovation*rng.NormFloat64()
			ep = phi*ep + innovation*rng.NormFloat64()
		}
		tp := math.Max(1, throughput*(1+cv*et))
		out[i] = benchrunner.Sample{
			Second: i, Requests: int64(math.Round(tp)), Throughput: math.Round(tp),
			P50: p99 / 4 * (1 + cv*ep), P99: math.Max(1e-6, p99*(1+cv*ep)),
		}
	}
	return out
}

// scaled returns samples with throughput multiplied by f (p99 untouched): a rate limit.
func scaled(s []benchrunner.Sample, f float64) []benchrunner.Sample {
	out := append([]benchrunner.Sample(nil), s...)
	for i := range out {
		out[i].Throughput = math.Round(out[i].Throughput * f)
		out[i].Requests = int64(out[i].Throughput)
	}
	return out
}
