package opsproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
)

// benchJobQueues are the queue sections benchmarked: in-process and a Redis of the run's own.
func benchJobQueues(b *testing.B) map[string]func() string {
	return map[string]func() string{
		"InProcess": func() string { return "queue:\n  workers: 4\n" },
		"Redis": func() string {
			r := redistest.Start(b, "")
			return fmt.Sprintf("queue:\n  redis_url: %s\n  workers: 4\n", r.URL())
		},
	}
}

// BenchmarkJobAPIEnqueueToStart measures, with idle workers, the time from sending POST
// /api/v1/jobs to the handler's start (the API audits the attempt, creates the record and
// enqueues; a worker receives, reads and claims it), one job at a time; it reports p50 and p99.
func BenchmarkJobAPIEnqueueToStart(b *testing.B) {
	for _, sk := range storeKinds {
		for name, queue := range benchJobQueues(b) {
			b.Run(string(sk)+"/"+name, func(b *testing.B) {
				started := make(chan time.Time, 1)
				kind := jobs.Kind{Name: "bench", Role: "viewer", Cluster: true,
					Handler: func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
						started <- time.Now()
						return nil, nil
					}}
				e := newEnv(b, envOptions{store: sk, extra: queue(), jobKinds: []jobs.Kind{kind}})
				body := []byte(`{"kind":"bench","cluster":"c1"}`)
				lat := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for range b.N {
					sent := time.Now()
					if resp := e.call(b, "POST", "/api/v1/jobs", e.admin, body); resp.status != http.StatusAccepted {
						b.Fatalf("enqueue: %d %s", resp.status, resp.body)
					}
					lat = append(lat, (<-started).Sub(sent))
				}
				b.StopTimer()
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}

// BenchmarkJobAPIEnqueueRedis measures enqueues per second through the API onto Redis, 8
// concurrent clients per CPU, with no workers (only the enqueue path: audit, record, queue).
func BenchmarkJobAPIEnqueueRedis(b *testing.B) {
	for _, sk := range storeKinds {
		b.Run(string(sk), func(b *testing.B) {
			r := redistest.Start(b, "")
			kind := jobs.Kind{Name: "bench", Role: "viewer", Cluster: true}
			e := newEnv(b, envOptions{store: sk, extra: fmt.Sprintf("queue:\n  redis_url: %s\n  workers: 0\nlimits:\n  rate:\n    per_user: 0\n", r.URL()),
				jobKinds: []jobs.Kind{kind}})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest("POST", e.url+"/api/v1/jobs", bytes.NewReader([]byte(`{"kind":"bench","cluster":"c1","parameters":{"n":`+strconv.FormatInt(n.Add(1), 10)+`}}`)))
					req.Header.Set("Authorization", "Bearer "+e.admin)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					// Read to the end, or the client closes the connection and dials a new one.
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusAccepted {
						b.Errorf("enqueue: %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "enqueues/s")
		})
	}
}
