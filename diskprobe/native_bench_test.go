//go:build linux

package diskprobe

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// benchDir is where the benchmarks write: $DISKPROBE_BENCH_DIR (scripts/bench-diskprobe.sh
// sets it to the probed directory) or a temporary directory.
func benchDir(b *testing.B) string {
	if d := os.Getenv("DISKPROBE_BENCH_DIR"); d != "" {
		return d
	}
	return b.TempDir()
}

// BenchmarkNativeEngineSync is the native engine per write + fdatasync, timing, the two
// histograms and progress included; compare its write-phase-ns/sync (the write phase alone,
// without the run's setup: directory, statfs, the 64 MiB preallocation) with
// BenchmarkNativeBareWriteFdatasync.
func BenchmarkNativeEngineSync(b *testing.B) {
	dir := benchDir(b)
	j := Job{Profile: "custom", BlockSize: 2300, Size: int64(b.N) * 2300, Preallocate: 64 << 20}
	b.ResetTimer()
	res, err := Run(context.Background(), Options{Dir: dir, Job: j, Progress: func(int64, int64) {}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Elapsed.Nanoseconds())/float64(res.Syncs), "write-phase-ns/sync")
	b.ReportMetric(res.Sync.Percentiles["99"]*1e6, "p99-us")
}

// BenchmarkNativeBareWriteFdatasync is the floor: WriteAt and fdatasync in a loop on a
// preallocated file, nothing measured.
func BenchmarkNativeBareWriteFdatasync(b *testing.B) {
	dir, err := os.MkdirTemp(benchDir(b), ".etcd-monitor-diskprobe-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "bare"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := unix.Fallocate(int(f.Fd()), 0, 0, 64<<20); err != nil {
		b.Fatal(err)
	}
	_ = unix.Fdatasync(int(f.Fd()))
	buf := make([]byte, 2300)
	size := max(int64(b.N)*2300, 64<<20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.WriteAt(buf, int64(i)*2300%size); err != nil {
			b.Fatal(err)
		}
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
	}
}
