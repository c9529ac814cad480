package diskprobe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// walFsyncMetric is etcd's own WAL fsync latency histogram.
const walFsyncMetric = "etcd_disk_wal_fsync_duration_seconds"

const (
	memberTimeout    = 5 * time.Second
	maxMetricsOutput = 32 << 20
)

// memberWindow is a member's WAL fsync histogram read at the start of a probe.
type memberWindow struct {
	url    string // as given: may hold basic-auth credentials
	shown  string // redacted, for the result and errors
	before []bucket
	err    error
}

type bucket struct {
	le    float64
	count uint64
}

// startMemberWindow reads the member's histogram before the probe.
func startMemberWindow(ctx context.Context, rawURL string) *memberWindow {
	w := &memberWindow{url: MemberMetricsURL(rawURL)}
	w.shown = redactURL(w.url)
	w.before, w.err = readWALFsync(ctx, w.url, w.shown)
	return w
}

// finish reads the histogram again and estimates the member's p99 over the window from the
// bucket deltas. Reading fails softly: the comparison carries the error.
func (w *memberWindow) finish(ctx context.Context) *MemberComparison {
	c := &MemberComparison{URL: w.shown}
	if w.err != nil {
		c.Error = w.err.Error()
		return c
	}
	// The probe's own ctx may have ended (Ctrl-C): still read the closing figure.
	after, err := readWALFsync(context.WithoutCancel(ctx), w.url, w.shown)
	if err != nil {
		c.Error = err.Error()
		return c
	}
	delta, err := bucketDelta(w.before, after)
	if err != nil {
		c.Error = err.Error()
		return c
	}
	if n := len(delta); n > 0 {
		c.Fsyncs = int64(delta[n-1].count)
	}
	c.P99 = bucketQuantile(0.99, delta)
	return c
}

// MemberMetricsURL is a member's metrics URL: the URL as given when it has a path, else its
// /metrics.
func MemberMetricsURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Path != "" && u.Path != "/") {
		return raw
	}
	u.Path = "/metrics"
	return u.String()
}

// readWALFsync fetches the member's metrics and returns its WAL fsync histogram's cumulative
// buckets, +Inf last.
func readWALFsync(ctx context.Context, metricsURL, shown string) ([]bucket, error) {
	ctx, cancel := context.WithTimeout(ctx, memberTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsURL, nil)
	if err != nil {
		return nil, fmt.Errorf("compare_member: not a URL: %s", shown)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its URL may hold credentials
		}
		return nil, fmt.Errorf("read the member's metrics from %s: %w", shown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read the member's metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(io.LimitReader(resp.Body, maxMetricsOutput))
	if err != nil {
		return nil, fmt.Errorf("parse the member's metrics: %w", err)
	}
	mf, ok := families[walFsyncMetric]
	if !ok || mf.GetType() != dto.MetricType_HISTOGRAM || len(mf.GetMetric()) == 0 {
		return nil, fmt.Errorf("the member's metrics have no %s histogram (is %s an etcd member's /metrics?)", walFsyncMetric, shown)
	}
	h := mf.GetMetric()[0].GetHistogram()
	bs := make([]bucket, 0, len(h.GetBucket())+1)
	for _, b := range h.GetBucket() {
		if !math.IsInf(b.GetUpperBound(), 1) {
			bs = append(bs, bucket{le: b.GetUpperBound(), count: b.GetCumulativeCount()})
		}
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].le < bs[j].le })
	return append(bs, bucket{le: math.Inf(1), count: h.GetSampleCount()}), nil
}

// bucketDelta subtracts before from after, bucket by bucket.
func bucketDelta(before, after []bucket) ([]bucket, error) {
	if len(before) != len(after) {
		return nil, errors.New("the member's histogram buckets changed during the probe (restarted?)")
	}
	d := make([]bucket, len(after))
	for i := range after {
		if after[i].le != before[i].le || after[i].count < before[i].count {
			return nil, errors.New("the member's histogram went backwards during the probe (restarted?)")
		}
		d[i] = bucket{le: after[i].le, count: after[i].count - before[i].count}
	}
	return d, nil
}

// bucketQuantile is Prometheus's histogram_quantile over cumulative buckets (+Inf last):
// linear interpolation inside the bucket holding the rank; the highest finite bound when the
// rank falls in +Inf; 0 without observations.
func bucketQuantile(q float64, bs []bucket) float64 {
	if len(bs) < 2 {
		return 0
	}
	total := float64(bs[len(bs)-1].count)
	if total == 0 {
		return 0
	}
	rank := q * total
	i := sort.Search(len(bs)-1, func(i int) bool { return float64(bs[i].count) >= rank })
	if i == len(bs)-1 {
		return bs[len(bs)-2].le
	}
	lower, below := 0.0, 0.0
	if i > 0 {
		lower, below = bs[i-1].le, float64(bs[i-1].count)
	}
	inBucket := float64(bs[i].count) - below
	if inBucket == 0 {
		return bs[i].le
	}
	return lower + (bs[i].le-lower)*(rank-below)/inBucket
}

// redactURL hides a URL's password (user:xxxxx@host); unparseable, it is not shown at all.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
