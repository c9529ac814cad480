package diskapi

import "testing"

// Two disk tests compare by the ratios of their sync p50 and p99: within ±15 % unchanged,
// either above slower, either below (and none above) faster.
func TestCompareJudgesByTheSyncPercentileRatios(t *testing.T) {
	ref := Summary{P50: 0.002, P99: 0.008}
	for _, c := range []struct {
		name     string
		p50, p99 float64
		want     string
	}{
		{"same", 0.002, 0.008, Unchanged},
		{"within the tolerance", 0.0022, 0.0072, Unchanged},
		{"p99 slower", 0.002, 0.0094, Slower},
		{"p50 slower, p99 faster", 0.0024, 0.004, Slower},
		{"p99 faster", 0.002, 0.006, Faster},
		{"both faster", 0.001, 0.004, Faster},
	} {
		got := Compare(Summary{P50: c.p50, P99: c.p99}, ref)
		if got.Verdict != c.want {
			t.Errorf("%s: %s (p50 %.3f, p99 %.3f), want %s", c.name, got.Verdict, got.P50Ratio, got.P99Ratio, c.want)
		}
	}
	if got := Compare(Summary{P50: 0.002, P99: 0.008}, Summary{}); got.Verdict != Unchanged || got.P99Ratio != 0 {
		t.Errorf("against a reference without figures: %+v", got)
	}
}
