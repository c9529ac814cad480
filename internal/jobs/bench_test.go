package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// benchQueues are the queues benchmarked.
func benchQueues() []struct {
	name string
	new  func(b *testing.B) jobs.Queue
} {
	return []struct {
		name string
		new  func(b *testing.B) jobs.Queue
	}{
		{"InProcess", func(b *testing.B) jobs.Queue { return jobs.NewMemQueue("bench", jobs.Options{}) }},
		{"Redis", func(b *testing.B) jobs.Queue {
			c, prefix := redistest.Shared(b)
			return jobs.NewRedisQueue(c, "bench", jobs.RedisOptions{Prefix: prefix})
		}},
	}
}

// BenchmarkEnqueue measures enqueues per second, one caller and 8
// concurrent callers per CPU (as one opsproxy serving many requests).
func BenchmarkEnqueue(b *testing.B) {
	for _, k := range benchQueues() {
		b.Run(k.name+"/serial", func(b *testing.B) {
			q := k.new(b)
			c := context.Background()
			b.ResetTimer()
			for i := range b.N {
				if err := q.Enqueue(c, "j"+strconv.Itoa(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "enqueues/s")
		})
		b.Run(k.name+"/parallel", func(b *testing.B) {
			q := k.new(b)
			c := context.Background()
			var n atomic.Int64
			b.SetParallelism(8) // 8 goroutines per GOMAXPROCS: 16 on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := q.Enqueue(c, "j"+strconv.FormatInt(n.Add(1), 10)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "enqueues/s")
		})
	}
}

// BenchmarkEnqueueToStart measures, with idle workers, the time from
// Submit (record created in a bbolt store, id enqueued) to the handler's
// start (after the worker read and claimed the record), one job at a time.
func BenchmarkEnqueueToStart(b *testing.B) {
	for _, k := range benchQueues() {
		b.Run(k.name, func(b *testing.B) {
			q := k.new(b)
			st := openStore(b)
			r := jobs.NewRunner(q, st, jobs.RunnerOptions{Workers: 4, Logger: slog.New(slog.DiscardHandler)})
			started := make(chan time.Time, 1)
			r.Handle("noop", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
				started <- time.Now()
				return nil, nil
			}, jobs.HandleOptions{})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); _ = r.Run(ctx) }()
			defer func() { cancel(); <-done }()
			time.Sleep(100 * time.Millisecond) // workers idle in Receive
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				if _, err := jobs.Submit(context.Background(), st, q, store.Job{Kind: "noop", Cluster: "prod"}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, (<-started).Sub(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.5), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}

// BenchmarkQueueEnqueueToReceive is the queue's share of the above:
// Enqueue to Receive returning, with one consumer waiting.
func BenchmarkQueueEnqueueToReceive(b *testing.B) {
	for _, k := range benchQueues() {
		b.Run(k.name, func(b *testing.B) {
			q := k.new(b)
			c := context.Background()
			got := make(chan time.Time, 1)
			ctx, cancel := context.WithCancel(c)
			defer cancel()
			go func() {
				for {
					m, err := q.Receive(ctx, "c")
					if err != nil {
						return
					}
					got <- time.Now()
					_ = q.Ack(c, m)
				}
			}()
			time.Sleep(100 * time.Millisecond)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				t0 := time.Now()
				if err := q.Enqueue(c, fmt.Sprintf("j%d", i)); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, (<-got).Sub(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
		})
	}
}

// BenchmarkPending100k enqueues 100,000 ids on Redis and then lets a
// runner's workers take 1,000 of them: the workers read one entry at a
// time, so their heap does not grow with the backlog. It reports Redis's
// memory for the backlog and the Go heap in use while working through it.
// It measures once per call, whatever b.N is: run it with -benchtime 1x.
func BenchmarkPending100k(b *testing.B) {
	const pending = 100_000
	{
		c, prefix := redistest.Shared(b)
		q := jobs.NewRedisQueue(c, "bench", jobs.RedisOptions{Prefix: prefix})
		ctx := context.Background()
		before := redisUsedMemory(b, c)
		pipe := c.Pipeline()
		for i := range pending {
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: prefix + "bench:stream", Values: []any{"job", "j" + strconv.Itoa(i)}})
			pipe.HSet(ctx, prefix+"bench:attempts", "j"+strconv.Itoa(i), 0)
			if i%1000 == 999 {
				if _, err := pipe.Exec(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}
		backlog := redisUsedMemory(b, c) - before
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heapBefore := ms.HeapInuse
		var seen atomic.Int64
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Go(func() {
				for seen.Load() < 1000 {
					m, err := q.Receive(ctx, "w"+strconv.Itoa(w))
					if err != nil {
						b.Error(err)
						return
					}
					_ = q.Ack(ctx, m)
					seen.Add(1)
				}
			})
		}
		wg.Wait()
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(backlog)/pending, "redis-B/pending-job")
		b.ReportMetric(float64(int64(ms.HeapInuse)-int64(heapBefore))/1024/1024, "worker-heap-growth-MiB")
		c.Unlink(ctx, prefix+"bench:stream", prefix+"bench:attempts")
	}
}

func redisUsedMemory(b testing.TB, c *redis.Client) int64 {
	info, err := c.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no used_memory in INFO memory")
	return 0
}
