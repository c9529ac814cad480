package storetest

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// BenchmarkAppend measures audited appends: AppendAudit with batches of
// several sizes, and the AuditWriter under concurrent callers (each Append
// waits for its commit, as opsproxy's requests do). It reports records/s.
// open returns an empty store.
func BenchmarkAppend(b *testing.B, open func(b *testing.B) store.Store) {
	for _, size := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			st := open(b)
			defer st.Close()
			recs := make([]store.AuditRecord, size)
			for i := range recs {
				recs[i] = rec(i)
			}
			c := ctx(b)
			start := time.Now()
			for b.Loop() {
				if _, err := st.AppendAudit(c, recs...); err != nil {
					b.Fatalf("append: %v", err)
				}
			}
			b.ReportMetric(float64(b.N*size)/time.Since(start).Seconds(), "records/s")
		})
	}
	for _, callers := range []int{50, 200} {
		b.Run(fmt.Sprintf("writer/callers=%d", callers), func(b *testing.B) {
			st := open(b)
			defer st.Close()
			w := store.NewAuditWriter(st, store.AuditWriterOptions{})
			defer w.Close()
			c := ctx(b)
			var n atomic.Int64
			procs := runtime.GOMAXPROCS(0)
			b.SetParallelism((callers + procs - 1) / procs)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := w.Append(c, rec(int(n.Add(1)))); err != nil {
						b.Errorf("append: %v", err)
						return
					}
				}
			})
			b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "records/s")
		})
	}
}

// BenchmarkCreateJobs measures creating jobs with 16 concurrent callers
// (as opsproxy's API under load): "each" calls the store's CreateJob, a
// transaction per job; "writer" goes through a JobWriter, which commits
// the jobs of concurrent callers together (as the API does). It reports
// jobs/s. open returns an empty store.
func BenchmarkCreateJobs(b *testing.B, open func(b *testing.B) store.Store) {
	b.Run("each", func(b *testing.B) {
		st := open(b)
		defer st.Close()
		benchmarkCreateJobs(b, st)
	})
	b.Run("writer", func(b *testing.B) {
		st := open(b)
		defer st.Close()
		w := store.NewJobWriter(st, store.JobWriterOptions{})
		defer w.Close()
		benchmarkCreateJobs(b, w)
	})
}

func benchmarkCreateJobs(b *testing.B, st store.JobStore) {
	c := ctx(b)
	b.SetParallelism((16 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	var n atomic.Int64
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n.Add(1)
			if _, _, err := st.CreateJob(c, store.Job{Kind: "bench", Cluster: "c1", RequestedBy: "bench"}); err != nil {
				b.Errorf("create job: %v", err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "jobs/s")
}
