package diskprobe

import (
	"strings"
	"testing"
	"time"
)

func TestWriteTextShowsHistogramVerdictAndWarnings(t *testing.T) {
	h := newLatencyHistogram()
	for i := 0; i < 900; i++ {
		record(h, 300*time.Microsecond)
	}
	for i := 0; i < 100; i++ {
		record(h, 3*time.Millisecond)
	}
	r := Result{
		Engine: EngineNative, Job: Job{Profile: "etcd", BlockSize: 2300, Size: 22 << 20, Preallocate: 64 << 20},
		Dir: "/var/lib/etcd", Filesystem: FSInfo{Type: "tmpfs", Device: "tmpfs", MountPoint: "/var/lib/etcd"},
		Budget: Budget{SpaceBytes: 64 << 20, WriteBytes: 10029 * 2300}, Syncs: 1000, Bytes: 2300000,
		Elapsed: time.Second, IOPS: 1000, Sync: latencyOf(h), Threshold: 0.010,
		Member: &MemberComparison{URL: "http://m:2379/metrics", Error: "read the member's metrics: connection refused"},
	}
	judge(&r)
	var b strings.Builder
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Disk probe: native engine, profile etcd (2300-byte writes each followed by fdatasync, 22.0 MiB, 64.0 MiB preallocated)",
		"Measured on:  /var/lib/etcd (tmpfs on tmpfs, mounted at /var/lib/etcd)",
		"I/O budget:   64.0 MiB of disk space (removed after), 22.0 MiB written",
		"   250µs - 500µs    |########################################|     900  90.0%",
		"  2.00ms - 4.00ms   |####                                    |     100  10.0%",
		"Member http://m:2379/metrics: not compared: read the member's metrics: connection refused",
		"WARNING: tmpfs is memory: its results say nothing about a real disk",
		"Verdict: PASS: p99 fdatasync 3.00ms is below the 10ms line",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
