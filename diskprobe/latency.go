package diskprobe

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The reported percentiles, keyed as in Latency.Percentiles.
var percentileKeys = []struct {
	key string
	q   float64
}{{"50", 50}, {"90", 90}, {"99", 99}, {"99.9", 99.9}}

// newLatencyHistogram records nanoseconds from 1 µs to 60 s at 3 significant digits.
func newLatencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1_000, int64(time.Minute), 3)
}

// record adds one latency, clamped into the histogram's range.
func record(h *hdrhistogram.Histogram, d time.Duration) {
	v := max(int64(d), h.LowestTrackableValue())
	_ = h.RecordValue(min(v, h.HighestTrackableValue()))
}

// latencyOf summarises a histogram of nanoseconds in seconds, keeping the histogram itself.
func latencyOf(h *hdrhistogram.Histogram) Latency {
	l := Latency{Count: h.TotalCount(), Percentiles: map[string]float64{}}
	if l.Count == 0 {
		return l
	}
	l.Min, l.Max = seconds(h.Min()), seconds(h.Max())
	l.Mean, l.Stddev = h.Mean()/1e9, h.StdDev()/1e9
	for _, p := range percentileKeys {
		l.Percentiles[p.key] = seconds(h.ValueAtQuantile(p.q))
	}
	if enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
		l.Histogram = string(enc)
	}
	return l
}

// DecodeHistogram returns the HDR histogram (nanoseconds) kept in a Latency.
func (l Latency) DecodeHistogram() (*hdrhistogram.Histogram, error) {
	if l.Histogram == "" {
		return nil, fmt.Errorf("no histogram kept (fio reports percentiles only)")
	}
	h, err := hdrhistogram.Decode([]byte(l.Histogram))
	if err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	return h, nil
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }
