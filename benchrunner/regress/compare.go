package regress

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// Verdicts of a comparison.
const (
	Regressed = "regressed"
	Improved  = "improved"
	Unchanged = "unchanged"
)

// MinSamples is the fewest per-second samples a series needs on each side to be judged.
const MinSamples = 5

// Options tune the comparison; zero fields take their defaults.
type Options struct {
	// MinEffect is the smallest relative change that matters (default 0.05): a change is
	// reported only when its whole interval lies beyond it.
	MinEffect float64
	// Alpha is the level of the test (default 0.05): the interval is the 1-Alpha interval of
	// the relative change, so that a run like its baseline is seldom (tests: at most Alpha of
	// the time) called regressed or improved.
	Alpha float64
	// BlockLen is the bootstrap's block length in seconds; 0 chooses it from the samples'
	// autocorrelation.
	BlockLen int
	// Resamples is the number of bootstrap resamples (default 2000).
	Resamples int
	// Seed makes the bootstrap deterministic: the same inputs and Seed give the same Result.
	Seed int64
}

// Result is one metric's comparison of a run with its baseline.
type Result struct {
	// Metric is "throughput" (higher is better) or "p99" (lower is better).
	Metric string
	// Verdict is "regressed", "improved" or "unchanged".
	Verdict string
	// Change is the relative change of the median, (run - baseline) / baseline: -0.31 is 31 %
	// lower. Low and High bound it (the 1-Alpha interval).
	Change    float64
	Low, High float64
	// BaselineMedian and RunMedian are the medians of the per-second figures compared.
	BaselineMedian, RunMedian float64
	// Samples counts the seconds used: baseline, run.
	Samples [2]int
	// Note explains an "unchanged" that is not evidence of no change (too little data) and the
	// block length used.
	Note string
}

func (o Options) withDefaults() Options {
	if o.MinEffect <= 0 {
		o.MinEffect = 0.05
	}
	if o.Alpha <= 0 || o.Alpha >= 1 {
		o.Alpha = 0.05
	}
	if o.Resamples <= 0 {
		o.Resamples = 2000
	}
	return o
}

// metric is one compared figure and which way is better.
type metric struct {
	name           string
	higherIsBetter bool
	value          func(benchrunner.Sample) float64
	// usable says whether a second has a figure: a second without a completed request has
	// no p99.
	usable func(benchrunner.Sample) bool
}

var metrics = []metric{
	{"throughput", true, func(s benchrunner.Sample) float64 { return s.Throughput }, func(benchrunner.Sample) bool { return true }},
	{"p99", false, func(s benchrunner.Sample) float64 { return s.P99 }, func(s benchrunner.Sample) bool { return s.Requests > 0 }},
}

// Compare compares a run's per-second samples with its baseline's, for throughput and p99.
// The last sample of a series is left out when it covers less than a second (its rate is of
// a fraction of a second and noisier than the rest).
func Compare(baseline, run []benchrunner.Sample, o Options) []Result {
	o = o.withDefaults()
	baseline, run = wholeSeconds(baseline), wholeSeconds(run)
	out := make([]Result, 0, len(metrics))
	for i, m := range metrics {
		b, r := series(baseline, m), series(run, m)
		// Each metric gets its own stream, so adding a metric does not change another's interval.
		rng := rand.New(rand.NewPCG(uint64(o.Seed), uint64(i)+1))
		out = append(out, compareSeries(m, b, r, o, rng))
	}
	return out
}

// wholeSeconds drops a last sample that covers less than a second: the engine reports its
// throughput per second of the remainder, so its Requests fall short of its Throughput.
func wholeSeconds(s []benchrunner.Sample) []benchrunner.Sample {
	if n := len(s); n > 0 && s[n-1].Throughput-float64(s[n-1].Requests) > 0.5 {
		return s[:n-1]
	}
	return s
}

func series(s []benchrunner.Sample, m metric) []float64 {
	out := make([]float64, 0, len(s))
	for _, x := range s {
		if v := m.value(x); m.usable(x) && !math.IsNaN(v) && !math.IsInf(v, 0) {
			out = append(out, v)
		}
	}
	return out
}

func compareSeries(m metric, base, run []float64, o Options, rng *rand.Rand) Result {
	res := Result{Metric: m.name, Verdict: Unchanged, Samples: [2]int{len(base), len(run)}}
	if len(base) > 0 {
		res.BaselineMedian = median(append([]float64(nil), base...))
	}
	if len(run) > 0 {
		res.RunMedian = median(append([]float64(nil), run...))
	}
	if len(base) < MinSamples || len(run) < MinSamples {
		res.Note = fmt.Sprintf("too little data to judge: %d seconds of baseline and %d of run, %d of each needed", len(base), len(run), MinSamples)
		return res
	}
	if res.BaselineMedian <= 0 {
		res.Note = fmt.Sprintf("the baseline's median %s is %g: no relative change can be taken from it", m.name, res.BaselineMedian)
		return res
	}
	res.Change = res.RunMedian/res.BaselineMedian - 1

	blockB, blockR := o.BlockLen, o.BlockLen
	if o.BlockLen <= 0 {
		blockB, blockR = BlockLength(base), BlockLength(run)
	}
	// The interval is built on the log of the ratio of medians, where it is about symmetric:
	// its standard error comes from the bootstrap, and Student's t on the number of blocks
	// less one widens it for few effectively independent seconds (a percentile interval of a
	// median from a handful of blocks is too narrow and calls noise a change).
	logs := make([]float64, 0, o.Resamples)
	bufB, bufR := make([]float64, len(base)), make([]float64, len(run))
	for range o.Resamples {
		mb := median(resample(base, blockB, bufB, rng))
		mr := median(resample(run, blockR, bufR, rng))
		if mb > 0 && mr > 0 {
			logs = append(logs, math.Log(mr/mb))
		}
	}
	if len(logs) < o.Resamples/2 || res.RunMedian <= 0 {
		res.Note = fmt.Sprintf("the %s is zero in most resamples: no relative change can be taken from it", m.name)
		return res
	}
	blocks := min(len(base)/max(blockB, 1), len(run)/max(blockR, 1))
	half := studentT(1-o.Alpha/2, float64(max(blocks-1, 1))) * stddev(logs)
	centre := math.Log(res.RunMedian / res.BaselineMedian)
	res.Low, res.High = math.Exp(centre-half)-1, math.Exp(centre+half)-1
	worse, better := res.High < -o.MinEffect, res.Low > o.MinEffect
	if !m.higherIsBetter {
		worse, better = res.Low > o.MinEffect, res.High < -o.MinEffect
	}
	switch {
	case worse:
		res.Verdict = Regressed
	case better:
		res.Verdict = Improved
	}
	res.Note = fmt.Sprintf("%.0f %% interval %+.1f %% … %+.1f %%, minimum effect %.0f %%, blocks of %d and %d seconds",
		100*(1-o.Alpha), 100*res.Low, 100*res.High, 100*o.MinEffect, blockB, blockR)
	return res
}

// resample fills buf with a circular block bootstrap resample of x: blocks of block
// consecutive seconds (wrapping at the end) from random starts, so the resample keeps the
// series' short-range dependence.
func resample(x []float64, block int, buf []float64, rng *rand.Rand) []float64 {
	n := len(x)
	block = min(max(block, 1), n)
	for i := 0; i < n; {
		start := rng.IntN(n)
		for j := 0; j < block && i < n; j++ {
			buf[i] = x[(start+j)%n]
			i++
		}
	}
	return buf
}

// median sorts x in place and returns its median.
func median(x []float64) float64 {
	slices.Sort(x)
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// stddev is the sample standard deviation of x.
func stddev(x []float64) float64 {
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

// studentT is the p-quantile of Student's t with df degrees of freedom, by the Cornish–Fisher
// expansion around the normal quantile (Abramowitz and Stegun 26.7.5): within 0.5 % for df ≥ 3
// at the usual levels, and conservative below.
func studentT(p, df float64) float64 {
	z := math.Sqrt2 * math.Erfinv(2*p-1)
	z3, z5, z7, z9 := z*z*z, math.Pow(z, 5), math.Pow(z, 7), math.Pow(z, 9)
	return z + (z3+z)/(4*df) + (5*z5+16*z3+3*z)/(96*df*df) +
		(3*z7+19*z5+17*z3-15*z)/(384*df*df*df) +
		(79*z9+776*z7+1482*z5-1920*z3-945*z)/(92160*df*df*df*df)
}
