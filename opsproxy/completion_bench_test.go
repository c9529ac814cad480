package opsproxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// completionBenchKeys are the benchmark's keys in the shared cluster, loaded once per run: under
// flat, 100,000 keys side by side; under grouped, 100,000 keys in 1,000 groups of 100, where 50
// candidates take a skip-scan of 50 reads (the worst case).
var (
	completionBenchOnce          sync.Once
	completionFlat, completionGr string
)

func loadCompletionBenchKeys(b *testing.B) {
	completionBenchOnce.Do(func() {
		id := store.NewID()[:8]
		completionFlat, completionGr = "/bench-complete-"+id+"/flat/", "/bench-complete-"+id+"/grouped/"
		cli := sharedClient(b)
		keys := make([]string, 0, 200000)
		for i := range 100000 {
			keys = append(keys, fmt.Sprintf("%skey-%06d", completionFlat, i))
			keys = append(keys, fmt.Sprintf("%sns-%04d/pod-%03d", completionGr, i/100, i%100))
		}
		start := time.Now()
		putMany(b, cli, keys)
		b.Logf("loaded %d keys in %v", len(keys), time.Since(start))
	})
}

// BenchmarkCompletion100kKeys measures GET …/complete over HTTP for a key argument with
// 100,000 keys under the prefix, and reports the latency percentiles (goal: p99 ≤ 30 ms). The
// reference, direct-get, is one keys-only serializable read of 51 names of the flat prefix
// straight from etcd: what a completion that neither groups nor goes through opsproxy costs.
func BenchmarkCompletion100kKeys(b *testing.B) {
	loadCompletionBenchKeys(b)
	b.Run("direct-get", func(b *testing.B) {
		cli := sharedClient(b)
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for range b.N {
			start := time.Now()
			resp, err := cli.Get(context.Background(), completionFlat, clientv3.WithPrefix(), clientv3.WithKeysOnly(),
				clientv3.WithSerializable(), clientv3.WithLimit(51))
			if err != nil || len(resp.Kvs) != 51 {
				b.Fatalf("direct get: %v", err)
			}
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		reportPercentiles(b, lat)
	})
	e := newEnv(b, envOptions{})
	viewer := e.token(b, TokenSpec{Name: "bench", Role: "viewer"})
	for _, bc := range []struct{ name, line string }{
		{"flat", "get " + completionFlat},
		{"grouped", "get " + completionGr},
		{"one-group", "get " + completionGr + "ns-0500/"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req, err := http.NewRequest("GET", e.url+completePath("c1", bc.line, -1), nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+viewer)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				var a struct {
					Candidates []struct{ Text string } `json:"candidates"`
					Truncated  bool                    `json:"truncated"`
				}
				r := response{status: resp.StatusCode}
				r.body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || r.status != 200 {
					b.Fatalf("%d %s %v", r.status, r.body, err)
				}
				lat = append(lat, time.Since(start))
				r.json(b, &a)
				if len(a.Candidates) != 50 || !a.Truncated {
					b.Fatalf("%d candidates, truncated %v", len(a.Candidates), a.Truncated)
				}
			}
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}

// reportPercentiles reports the median and the 99th percentile of lat in milliseconds.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(float64(len(lat))*p))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
