package regress

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

func resultOf(t *testing.T, rs []Result, metric string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Metric == metric {
			return r
		}
	}
	t.Fatalf("no %s result in %+v", metric, rs)
	return Result{}
}

// falseAlarms counts the comparisons of pairs (both metrics) that are not "unchanged".
func falseAlarms(pairs [][2][]benchrunner.Sample, o Options) (alarms, comparisons int) {
	for i, p := range pairs {
		o.Seed = int64(i)
		for _, r := range Compare(p[0], p[1], o) {
			comparisons++
			if r.Verdict != Unchanged {
				alarms++
			}
		}
	}
	return alarms, comparisons
}

// TestAAPairsFromAR1StayUnchanged: runs of the same system, one minute each, whose seconds are
// autocorrelated (phi 0.6) with 8 % variation, are seldom called regressed or improved: at
// most Alpha of the time. The rate of the interval alone (no minimum effect) is logged beside it:
// the bootstrap interval of a median from ~15 effectively independent seconds is somewhat
// narrow, and the minimum effect is what keeps false alarms down.
func TestAAPairsFromAR1StayUnchanged(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 7))
	var pairs [][2][]benchrunner.Sample
	for range 100 {
		pairs = append(pairs, [2][]benchrunner.Sample{ar1Run(rng, 60, 1000, 0.02, 0.6, 0.08), ar1Run(rng, 60, 1000, 0.02, 0.6, 0.08)})
	}
	alarms, n := falseAlarms(pairs, Options{})
	rate := float64(alarms) / float64(n)
	t.Logf("AR(1) phi 0.6, A/A: %d false alarms in %d comparisons (rate %.3f, alpha 0.05, minimum effect 5 %%)", alarms, n, rate)
	if rate > 0.05 {
		t.Errorf("false-alarm rate %.3f > alpha 0.05", rate)
	}
	bare, n := falseAlarms(pairs, Options{MinEffect: 1e-9})
	t.Logf("AR(1) phi 0.6, A/A, interval alone (no minimum effect): %d of %d (rate %.3f)", bare, n, float64(bare)/float64(n))
}

// TestRecordedAAPairsStayUnchanged uses real per-second samples of four put runs against an
// embedded etcd on a busy machine (testdata/recorded-put-*.json): every pair of distinct
// 15-second windows is an A/A pair.
func TestRecordedAAPairsStayUnchanged(t *testing.T) {
	var windows [][]benchrunner.Sample
	for _, run := range recordedSamples(t) {
		for start := 0; start+15 <= len(run); start += 15 {
			windows = append(windows, run[start:start+15])
		}
	}
	var pairs [][2][]benchrunner.Sample
	for i := range windows {
		for j := i + 1; j < len(windows); j++ {
			pairs = append(pairs, [2][]benchrunner.Sample{windows[i], windows[j]})
		}
	}
	alarms, n := falseAlarms(pairs, Options{})
	rate := float64(alarms) / float64(n)
	t.Logf("recorded runs, A/A over %d windows: %d false alarms in %d comparisons (rate %.3f)", len(windows), alarms, n, rate)
	if rate > 0.05 {
		t.Errorf("false-alarm rate %.3f > alpha 0.05", rate)
	}
}

func TestSlowdownTo70PercentIsRegressed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	base, same := ar1Run(rng, 60, 1000, 0.02, 0.6, 0.08), ar1Run(rng, 60, 1000, 0.02, 0.6, 0.08)
	rs := Compare(base, scaled(same, 0.7), Options{Seed: 3})
	tp := resultOf(t, rs, "throughput")
	if tp.Verdict != Regressed || tp.High >= -0.05 || math.Abs(tp.Change+0.3) > 0.05 {
		t.Errorf("throughput at 70 %%: %+v", tp)
	}
	if p := resultOf(t, rs, "p99"); p.Verdict != Unchanged {
		t.Errorf("p99 did not change: %+v", p)
	}
}

// TestRateLimitAt70PercentOfRecordedIsRegressed caps a recorded run at 70 % of its baseline's
// median throughput, as a rate limit would.
func TestRateLimitAt70PercentOfRecordedIsRegressed(t *testing.T) {
	runs := recordedSamples(t)
	base := runs[0]
	limit := 0.7 * median(series(base, metrics[0]))
	limited := append([]benchrunner.Sample(nil), runs[1]...)
	for i := range limited {
		limited[i].Throughput = math.Min(limited[i].Throughput, math.Round(limit))
		limited[i].Requests = int64(limited[i].Throughput)
	}
	tp := resultOf(t, Compare(base, limited, Options{Seed: 1}), "throughput")
	if tp.Verdict != Regressed {
		t.Errorf("rate-limited to 70 %%: %+v", tp)
	}
}

func TestTwentyPercentMoreIsImproved(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	base, same := ar1Run(rng, 60, 1000, 0.02, 0.6, 0.08), ar1Run(rng, 60, 1000, 0.02, 0.6, 0.08)
	if tp := resultOf(t, Compare(base, scaled(same, 1.2), Options{Seed: 4}), "throughput"); tp.Verdict != Improved || tp.Low <= 0.05 {
		t.Errorf("throughput +20 %%: %+v", tp)
	}
}

func TestHigherP99IsRegressedAndLowerImproved(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	base, other := ar1Run(rng, 60, 1000, 0.02, 0.6, 0.08), ar1Run(rng, 60, 1000, 0.02, 0.6, 0.08)
	slower := append([]benchrunner.Sample(nil), other...)
	faster := append([]benchrunner.Sample(nil), other...)
	for i := range other {
		slower[i].P99 *= 1.4
		faster[i].P99 *= 0.7
	}
	if p := resultOf(t, Compare(base, slower, Options{Seed: 5}), "p99"); p.Verdict != Regressed || p.Low <= 0.05 {
		t.Errorf("p99 +40 %%: %+v", p)
	}
	if p := resultOf(t, Compare(base, faster, Options{Seed: 5}), "p99"); p.Verdict != Improved {
		t.Errorf("p99 -30 %%: %+v", p)
	}
}

func TestTinySamplesAreUnchangedWithANote(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	base, run := ar1Run(rng, 30, 1000, 0.02, 0.5, 0.05), scaled(ar1Run(rng, 4, 1000, 0.02, 0.5, 0.05), 0.5)
	for _, r := range Compare(base, run, Options{}) {
		if r.Verdict != Unchanged || !strings.Contains(r.Note, "too little data") || r.Samples != [2]int{30, 4} {
			t.Errorf("%s with 4 seconds: %+v", r.Metric, r)
		}
	}
	for _, r := range Compare(nil, nil, Options{}) {
		if r.Verdict != Unchanged || !strings.Contains(r.Note, "too little data") {
			t.Errorf("%s with no data: %+v", r.Metric, r)
		}
	}
}

func TestZeroBaselineIsUnchangedWithANote(t *testing.T) {
	zero := make([]benchrunner.Sample, 10)
	for i := range zero {
		zero[i] = benchrunner.Sample{Second: i}
	}
	tp := resultOf(t, Compare(zero, scaled(ar1Run(rand.New(rand.NewPCG(5, 5)), 10, 100, 0.01, 0, 0.05), 1), Options{}), "throughput")
	if tp.Verdict != Unchanged || !strings.Contains(tp.Note, "no relative change") {
		t.Errorf("zero baseline: %+v", tp)
	}
}

func TestCompareIsDeterministicWithSeed(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	a, b := ar1Run(rng, 40, 1000, 0.02, 0.6, 0.08), ar1Run(rng, 40, 1000, 0.02, 0.6, 0.08)
	first, again := Compare(a, b, Options{Seed: 9}), Compare(a, b, Options{Seed: 9})
	if !reflect.DeepEqual(first, again) {
		t.Errorf("the same seed gave\n%+v\n%+v", first, again)
	}
	if other := Compare(a, b, Options{Seed: 10}); reflect.DeepEqual(first, other) {
		t.Error("another seed should draw other resamples")
	}
}

func TestCompareLeavesOutAShortLastSecond(t *testing.T) {
	s := []benchrunner.Sample{{Requests: 100, Throughput: 100}, {Requests: 100, Throughput: 100}, {Requests: 30, Throughput: 120}}
	if got := wholeSeconds(s); len(got) != 2 {
		t.Errorf("kept %d samples, want the last (0.25 s) left out", len(got))
	}
	if got := wholeSeconds(s[:2]); len(got) != 2 {
		t.Error("whole seconds must all be kept")
	}
}
