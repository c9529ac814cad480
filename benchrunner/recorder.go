package benchrunner

import (
	"encoding/base64"
	"math"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// The histograms hold nanoseconds from 1ns to one hour at three significant digits: a fixed
// few hundred KiB each however many requests are recorded, with percentiles within 0.1 %.
const (
	histMin     = 1
	histMax     = int64(time.Hour)
	histSigFigs = 3
)

// percentileKeys are the percentiles etcd's report prints, as Distribution keys them.
var percentileKeys = []struct {
	key string
	q   float64
}{{"10", 10}, {"25", 25}, {"50", 50}, {"75", 75}, {"90", 90}, {"95", 95}, {"99", 99}, {"99.9", 99.9}}

// result is one finished request. Intended is when the schedule meant it to start (equal to
// Sent without a rate), Sent when it was handed to the client, End when its answer came.
type result struct {
	Intended, Sent, End time.Time
	Err                 error
}

// latencies returns a result's latency, counted from its intended start (so a stalled server
// is charged for the requests it kept from being sent), and its service time, counted from
// when it was sent.
func (r result) latencies() (latency, service time.Duration) {
	return r.End.Sub(r.Intended), r.End.Sub(r.Sent)
}

// moments keeps exact count, extremes, mean and variance (Welford) beside a histogram, so the
// summary lines are exact and only percentiles carry the histogram's rounding.
type moments struct {
	hist     *hdrhistogram.Histogram
	count    int64
	min, max time.Duration
	mean, m2 float64
}

func newMoments() *moments {
	return &moments{hist: hdrhistogram.New(histMin, histMax, histSigFigs)}
}

func (m *moments) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	v := int64(d)
	if v < histMin {
		v = histMin
	}
	if v > histMax {
		v = histMax
	}
	_ = m.hist.RecordValue(v) // in range by the clamp above
	if m.count == 0 || d < m.min {
		m.min = d
	}
	if d > m.max {
		m.max = d
	}
	m.count++
	x := d.Seconds()
	delta := x - m.mean
	m.mean += delta / float64(m.count)
	m.m2 += delta * (x - m.mean)
}

func (m *moments) reset() {
	m.hist.Reset()
	m.count, m.min, m.max, m.mean, m.m2 = 0, 0, 0, 0, 0
}

// distribution summarises the moments as the report's Distribution.
func (m *moments) distribution() Distribution {
	d := Distribution{Count: m.count, Percentiles: make(map[string]float64, len(percentileKeys))}
	if m.count == 0 {
		return d
	}
	d.Fastest = m.min.Seconds()
	d.Slowest = m.max.Seconds()
	d.Average = m.mean
	// Population standard deviation, as etcd's report computes it.
	d.Stddev = math.Sqrt(m.m2 / float64(m.count))
	for _, p := range percentileKeys {
		d.Percentiles[p.key] = clampSeconds(m.hist.ValueAtPercentile(p.q), d.Fastest, d.Slowest)
	}
	if enc, err := m.hist.Encode(hdrhistogram.V2CompressedEncodingCookieBase); err == nil {
		d.Histogram = base64.StdEncoding.EncodeToString(enc)
	}
	return d
}

// clampSeconds converts a histogram value (ns) to seconds, kept within the exact extremes the
// histogram's bucket rounding may overshoot.
func clampSeconds(ns int64, lo, hi float64) float64 {
	s := time.Duration(ns).Seconds()
	return math.Min(math.Max(s, lo), hi)
}

// recorder collects one phase's results: histograms of latency and service time, errors by
// text, and per-second samples. It is safe for concurrent use.
type recorder struct {
	mu      sync.Mutex
	start   time.Time
	latency *moments
	service *moments
	errors  map[string]int64
	done    int64

	// The second being filled, and the samples of the seconds before it.
	second   int
	secLat   *moments
	secErrs  int64
	samples  []Sample
	finished bool
	// live, when set, also gets each sample as its second closes (Options.OnSample).
	live *sampleFeed
}

func newRecorder(start time.Time) *recorder {
	return &recorder{
		start:   start,
		latency: newMoments(),
		service: newMoments(),
		errors:  make(map[string]int64),
		secLat:  newMoments(),
	}
}

// record adds one finished request.
func (r *recorder) record(res result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rollTo(res.End)
	r.done++
	if res.Err != nil {
		r.errors[res.Err.Error()]++
		r.secErrs++
		return
	}
	lat, svc := res.latencies()
	r.latency.add(lat)
	r.service.add(svc)
	r.secLat.add(lat)
}

// rollTo closes the seconds before t's. Results recorded a moment late land in the current
// second rather than reopening a closed one.
func (r *recorder) rollTo(t time.Time) {
	sec := int(t.Sub(r.start) / time.Second)
	for r.second < sec {
		r.closeSecond(time.Second)
		r.second++
	}
}

// closeSecond appends the current second's sample, window being how long it covered.
func (r *recorder) closeSecond(window time.Duration) {
	s := Sample{
		Second:   r.second,
		Unix:     r.start.Add(time.Duration(r.second) * time.Second).Unix(),
		Requests: r.secLat.count + r.secErrs,
		Errors:   r.secErrs,
	}
	if window > 0 {
		s.Throughput = float64(r.secLat.count) / window.Seconds()
	}
	if r.secLat.count > 0 {
		s.P50 = clampSeconds(r.secLat.hist.ValueAtPercentile(50), r.secLat.min.Seconds(), r.secLat.max.Seconds())
		s.P99 = clampSeconds(r.secLat.hist.ValueAtPercentile(99), r.secLat.min.Seconds(), r.secLat.max.Seconds())
		s.Min = r.secLat.min.Seconds()
		s.Mean = r.secLat.mean
		s.Max = r.secLat.max.Seconds()
	}
	r.samples = append(r.samples, s)
	r.live.send(s)
	r.secLat.reset()
	r.secErrs = 0
}

// finish closes the last, partial second at end and returns the phase's figures.
func (r *recorder) finish(end time.Time) phaseFigures {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.finished {
		r.rollTo(end)
		window := end.Sub(r.start) - time.Duration(r.second)*time.Second
		if r.secLat.count+r.secErrs > 0 {
			r.closeSecond(window)
		}
		r.finished = true
	}
	elapsed := end.Sub(r.start)
	f := phaseFigures{
		Requests: r.done,
		Elapsed:  elapsed,
		Latency:  r.latency.distribution(),
		Service:  r.service.distribution(),
		Samples:  append([]Sample(nil), r.samples...),
	}
	if len(r.errors) > 0 {
		f.Errors = make(map[string]int64, len(r.errors))
		for k, v := range r.errors {
			f.Errors[k] = v
		}
	}
	if elapsed > 0 {
		f.Throughput = float64(r.latency.count) / elapsed.Seconds()
	}
	return f
}

// histogramBars returns the histogram's recorded values as (seconds, count) pairs, for etcd's
// "Response time histogram" drawn from a decoded Distribution.
func histogramBars(d Distribution) ([]bar, error) {
	if d.Histogram == "" {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(d.Histogram)
	if err != nil {
		return nil, err
	}
	h, err := hdrhistogram.Decode(raw)
	if err != nil {
		return nil, err
	}
	var bars []bar
	for _, b := range h.Distribution() {
		if b.Count > 0 {
			bars = append(bars, bar{seconds: time.Duration(b.From).Seconds(), count: b.Count})
		}
	}
	return bars, nil
}

type bar struct {
	seconds float64
	count   int64
}

// phaseFigures are one phase's measured figures.
type phaseFigures struct {
	Requests   int64
	Errors     map[string]int64
	Elapsed    time.Duration
	Throughput float64
	Latency    Distribution
	Service    Distribution
	Samples    []Sample
}
