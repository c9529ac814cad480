package agent

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/time/rate"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// What a probe costs the etcd member it shares a disk with: one real member (its own process,
// real fdatasync) under a steady put load, its data directory on the same filesystem as the
// agent's probe directory. Windows without probes alternate with windows in which the agent
// probes back to back (the worst case: the agent's schedule puts one probe in every few
// minutes). Reported per profile: the member's own etcd_disk_wal_fsync_duration_seconds p99 (from
// bucket deltas, as histogram_quantile) and mean, and the client's put p99, without and with
// probes. Run by scripts/bench-diskprobe-agent.sh:
//
//	go test -run '^$' -bench BenchmarkProbeCostToMember -benchtime=1x ./diskprobe/agent/
//
// DISKPROBE_BENCH_WINDOW (default 10s) and DISKPROBE_BENCH_PAIRS (default 3) shape the run;
// DISKPROBE_BENCH_RATE (default 200) is the puts per second.
func BenchmarkProbeCostToMember(b *testing.B) {
	window := envDuration(b, "DISKPROBE_BENCH_WINDOW", 10*time.Second)
	pairs := envInt(b, "DISKPROBE_BENCH_PAIRS", 3)
	putRate := envInt(b, "DISKPROBE_BENCH_RATE", 200)
	for _, profile := range []string{"agent", "etcd"} {
		b.Run("profile="+profile, func(b *testing.B) {
			for range b.N {
				measureProbeCost(b, profile, window, pairs, putRate)
			}
		})
	}
}

func measureProbeCost(b *testing.B, profile string, window time.Duration, pairs, putRate int) {
	c := etcdtest.New(b, etcdtest.Config{Size: 1, RealFsync: true, ProcessPerMember: true})
	cli := c.Client(b)
	metricsURL := c.Members[0].ClientURL + "/metrics"
	job, err := diskprobe.ProfileJob(profile)
	if err != nil {
		b.Fatal(err)
	}
	a, err := New(Config{Dir: b.TempDir(), Job: job, MaxBytesPerHour: 1 << 40}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}

	// The steady load: putRate puts per second of 256-byte values, each waited for.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	type sample struct {
		at  time.Time
		dur time.Duration
	}
	var mu sync.Mutex
	var puts []sample
	lim := rate.NewLimiter(rate.Limit(putRate), 1)
	val := string(make([]byte, 256))
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				if lim.Wait(ctx) != nil {
					return
				}
				t0 := time.Now()
				_, err := cli.Put(ctx, fmt.Sprintf("/bench/%d/%d", w, i%1000), val)
				if err != nil {
					return
				}
				mu.Lock()
				puts = append(puts, sample{t0, time.Since(t0)})
				mu.Unlock()
			}
		})
	}
	defer wg.Wait()
	defer stop()
	time.Sleep(2 * time.Second) // warm-up

	type figures struct {
		fsyncs            float64
		fsyncSum          float64
		fsyncP99, putP99  float64 // putP99: the worst window's
		probes, probeP99s []float64
	}
	var without, with figures
	// The member's fsync bucket deltas of all windows without (false) and with (true) probes,
	// pooled for one quantile over each.
	pooled := map[bool]histogram{}
	measure := func(f *figures, probing bool) {
		before := readFsyncHistogram(b, metricsURL)
		from := time.Now()
		var probeP99s []float64
		if probing {
			for time.Since(from) < window {
				res, err := a.probe(context.Background(), triggerDemand, diskprobe.Options{Dir: a.cfg.Dir, Job: job})
				if err != nil {
					b.Fatalf("probe: %v", err)
				}
				probeP99s = append(probeP99s, res.Sync.Percentiles["99"])
			}
		} else {
			time.Sleep(window)
		}
		to := time.Now()
		after := readFsyncHistogram(b, metricsURL)
		delta := after.minus(before)
		f.fsyncs += delta.count
		f.fsyncSum += delta.sum
		f.probeP99s = append(f.probeP99s, probeP99s...)
		f.probes = append(f.probes, float64(len(probeP99s)))
		mu.Lock()
		var durs []float64
		for _, s := range puts {
			if !s.at.Before(from) && s.at.Before(to) {
				durs = append(durs, s.dur.Seconds())
			}
		}
		mu.Unlock()
		sort.Float64s(durs)
		if len(durs) > 0 {
			f.putP99 = math.Max(f.putP99, durs[int(math.Ceil(0.99*float64(len(durs))))-1])
		}
		pooled[probing] = pooled[probing].plus(delta)
	}
	for range pairs {
		measure(&without, false)
		measure(&with, true)
	}
	stop()
	without.fsyncP99, with.fsyncP99 = pooled[false].quantile(0.99), pooled[true].quantile(0.99)
	n := 0.0
	for _, p := range with.probes {
		n += p
	}
	sort.Float64s(with.probeP99s)
	b.ReportMetric(without.fsyncP99*1e3, "fsync-p99-ms-without")
	b.ReportMetric(with.fsyncP99*1e3, "fsync-p99-ms-with")
	b.ReportMetric(without.fsyncSum/without.fsyncs*1e3, "fsync-mean-ms-without")
	b.ReportMetric(with.fsyncSum/with.fsyncs*1e3, "fsync-mean-ms-with")
	b.ReportMetric(without.putP99*1e3, "put-p99-ms-without")
	b.ReportMetric(with.putP99*1e3, "put-p99-ms-with")
	b.ReportMetric(without.fsyncs/(float64(pairs)*window.Seconds()), "fsyncs/s-without")
	b.ReportMetric(n, "probes")
	if len(with.probeP99s) > 0 {
		b.ReportMetric(with.probeP99s[len(with.probeP99s)/2]*1e3, "probe-p99-ms-median")
	}
}

// histogram is a cumulative Prometheus histogram: upper bounds and counts.
type histogram struct {
	les, counts []float64
	count, sum  float64
}

func (h histogram) minus(o histogram) histogram {
	out := histogram{les: h.les, counts: make([]float64, len(h.counts)), count: h.count - o.count, sum: h.sum - o.sum}
	for i := range h.counts {
		out.counts[i] = h.counts[i] - o.counts[i]
	}
	return out
}

func (h histogram) plus(o histogram) histogram {
	if h.les == nil {
		return o
	}
	out := histogram{les: h.les, counts: make([]float64, len(h.counts)), count: h.count + o.count, sum: h.sum + o.sum}
	for i := range h.counts {
		out.counts[i] = h.counts[i] + o.counts[i]
	}
	return out
}

// quantile interpolates linearly within the bucket, as PromQL's histogram_quantile does.
func (h histogram) quantile(q float64) float64 {
	if h.count == 0 {
		return math.NaN()
	}
	rank := q * h.count
	lower, below := 0.0, 0.0
	for i, le := range h.les {
		if h.counts[i] >= rank {
			if math.IsInf(le, 1) {
				return lower
			}
			return lower + (le-lower)*(rank-below)/(h.counts[i]-below)
		}
		lower, below = le, h.counts[i]
	}
	return lower
}

// readFsyncHistogram reads the member's etcd_disk_wal_fsync_duration_seconds.
func readFsyncHistogram(b *testing.B, url string) histogram {
	b.Helper()
	resp, err := http.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	mf := mfs["etcd_disk_wal_fsync_duration_seconds"]
	if mf == nil || len(mf.GetMetric()) == 0 {
		b.Fatalf("%s has no etcd_disk_wal_fsync_duration_seconds", url)
	}
	ph := mf.GetMetric()[0].GetHistogram()
	h := histogram{count: float64(ph.GetSampleCount()), sum: ph.GetSampleSum()}
	for _, bk := range ph.GetBucket() {
		h.les = append(h.les, bk.GetUpperBound())
		h.counts = append(h.counts, float64(bk.GetCumulativeCount()))
	}
	h.les = append(h.les, math.Inf(1))
	h.counts = append(h.counts, h.count)
	return h
}

func envDuration(b *testing.B, name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		return d
	}
	return def
}

func envInt(b *testing.B, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		return n
	}
	return def
}
