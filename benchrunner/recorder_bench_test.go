package benchrunner

import (
	"testing"
	"time"
)

// BenchmarkRecord is the bookkeeping a request costs the generator (three histograms, exact
// moments, the per-second sample), from 8 goroutines at once as a run's workers record.
func BenchmarkRecord(b *testing.B) {
	start := time.Now()
	rec := newRecorder(start)
	b.SetParallelism(8)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			sent := start.Add(time.Duration(i) * time.Microsecond)
			rec.record(result{Intended: sent, Sent: sent, End: sent.Add(time.Duration(1+i%5000) * time.Microsecond)})
			i++
		}
	})
}

// BenchmarkRecordWithLiveSamples is BenchmarkRecord with Options.OnSample set and requests
// 1 ms apart, so that a second closes, and its sample goes to the feed, every thousand
// requests of a worker: a worst case of the per-second work the load's workers pay for.
func BenchmarkRecordWithLiveSamples(b *testing.B) {
	start := time.Now()
	rec := newRecorder(start)
	rec.live = newSampleFeed(func(Sample) {})
	defer rec.live.stop()
	b.SetParallelism(8)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			sent := start.Add(time.Duration(i) * time.Millisecond)
			rec.record(result{Intended: sent, Sent: sent, End: sent.Add(time.Duration(1+i%5000) * time.Microsecond)})
			i++
		}
	})
}
