package diskapi

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Verdicts of a comparison.
const (
	Slower    = "slower"
	Faster    = "faster"
	Unchanged = "unchanged"
)

// Tolerance is the change of a sync latency percentile within which two disk tests are
// "unchanged": ±15 %, the agreement asked of the native probe and fio on one disk, so that a
// smaller change is within what two honest measurements of one disk differ by.
const Tolerance = 0.15

// Comparison is a disk test against a reference (the member's baseline or another test).
type Comparison struct {
	Run       Summary `json:"run"`
	Reference Summary `json:"reference"`
	// P50Ratio and P99Ratio are the run's sync latency percentiles over the reference's.
	P50Ratio float64 `json:"p50_ratio"`
	P99Ratio float64 `json:"p99_ratio"`
	// Verdict is "slower" when either percentile rose by more than Tolerance, else "faster"
	// when either fell by more than it, else "unchanged".
	Verdict string `json:"verdict"`
}

// Compare compares run with reference. A reference percentile of 0 (no syncs measured) makes
// its ratio 0 and leaves it out of the verdict.
func Compare(run, reference Summary) Comparison {
	out := Comparison{Run: run, Reference: reference, Verdict: Unchanged}
	ratio := func(a, b float64) float64 {
		if b <= 0 {
			return 0
		}
		return a / b
	}
	out.P50Ratio, out.P99Ratio = ratio(run.P50, reference.P50), ratio(run.P99, reference.P99)
	for _, r := range []float64{out.P50Ratio, out.P99Ratio} {
		switch {
		case r == 0:
		case r > 1+Tolerance:
			out.Verdict = Slower
		case r < 1-Tolerance && out.Verdict == Unchanged:
			out.Verdict = Faster
		}
	}
	return out
}

// compare answers GET /disktests/{id}/compare?baseline=MEMBER or ?against=ID: the test against
// the baseline of a member of its cluster or against another disk test. Only tests of one
// block size compare (a 2,300-byte and an 8,000-byte sync are different measurements).
func (s *api) compare(c *core.Call) (any, error) {
	run, err := s.test(c, "id", c.R.PathValue("id"))
	if err != nil {
		return nil, err
	}
	q := c.R.URL.Query()
	member, against := q.Get("baseline"), q.Get("against")
	var ref DiskTest
	switch {
	case (member == "") == (against == ""):
		return nil, apihttp.Errorf(http.StatusBadRequest, "baseline: give either baseline (a member whose baseline to compare with) or against (a disk test id)")
	case member != "":
		if err := checkMember("baseline", member); err != nil {
			return nil, err
		}
		b, err := s.Store.Baseline(c.R.Context(), store.KindDiskTest, run.Cluster, member)
		if err != nil {
			return nil, apihttp.StoreError("baseline of member "+member+" of cluster "+run.Cluster, err)
		}
		if ref, err = decodeTest(b.Result); err != nil {
			return nil, err
		}
	default:
		if ref, err = s.test(c, "against", against); err != nil {
			return nil, err
		}
	}
	if run.Result.Job.BlockSize != ref.Result.Job.BlockSize {
		return nil, apihttp.Errorf(http.StatusConflict, "baseline: disk test %s wrote %d-byte blocks, %s %d-byte blocks: only tests of one block size compare",
			ref.ID, ref.Result.Job.BlockSize, run.ID, run.Result.Job.BlockSize)
	}
	return Compare(run.Summary, ref.Summary), nil
}
