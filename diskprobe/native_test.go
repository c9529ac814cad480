//go:build linux

package diskprobe

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// Both ways of syncing (the agent's ordinary system call, the one-shot command's raw one)
// write the job and report it.
func TestNativeRunWritesTheJobAndReportsWellFormedFigures(t *testing.T) {
	for _, raw := range []bool{false, true} {
		t.Run(map[bool]string{false: "Syscall", true: "RawSyscall"}[raw], func(t *testing.T) { testNativeRunFigures(t, raw) })
	}
}

func testNativeRunFigures(t *testing.T, raw bool) {
	dir := probeDirFor(t)
	var calls, lastDone, lastTotal int64
	res, err := Run(context.Background(), Options{Dir: dir, Job: smallJob(), Threshold: 10 * time.Second, RawSync: raw,
		Progress: func(done, total int64) { calls++; lastDone, lastTotal = done, total }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Syncs != 64 || res.Bytes != 64*4096 || res.Sync.Count != 64 || res.Write == nil || res.Write.Count != 64 {
		t.Fatalf("syncs %d bytes %d sync.count %d write %+v; want 64 syncs of 4096 bytes", res.Syncs, res.Bytes, res.Sync.Count, res.Write)
	}
	for _, k := range []string{"50", "90", "99", "99.9"} {
		if v := res.Sync.Percentiles[k]; v <= 0 || v > res.Sync.Max*1.001 {
			t.Errorf("p%s = %g, want in (0, max %g]", k, v, res.Sync.Max)
		}
	}
	if res.Sync.Min <= 0 || res.Sync.Mean <= 0 || res.IOPS <= 0 || res.Elapsed <= 0 || res.Sync.Histogram == "" {
		t.Errorf("figures not filled: %+v", res)
	}
	if h, err := res.Sync.DecodeHistogram(); err != nil || h.TotalCount() != 64 {
		t.Errorf("kept histogram: %v, %v", h, err)
	}
	if res.Verdict != "pass" || res.Engine != EngineNative || res.Dir != dir || res.Filesystem.Type == "" || res.Filesystem.MountPoint == "" {
		t.Errorf("verdict %q engine %q dir %q fs %+v", res.Verdict, res.Engine, res.Dir, res.Filesystem)
	}
	if res.Budget.WriteBytes != 64*4096 || res.Budget.SpaceBytes != 64*4096 {
		t.Errorf("budget %+v", res.Budget)
	}
	if calls == 0 || lastDone != 64 || lastTotal != 64 {
		t.Errorf("progress: %d calls, last %d/%d; want ending 64/64", calls, lastDone, lastTotal)
	}
	assertNothingLeft(t, dir)
}

func TestNativeRunFailsTheVerdictOverTheLine(t *testing.T) {
	dir := probeDirFor(t)
	res, err := Run(context.Background(), Options{Dir: dir, Job: smallJob(), Threshold: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != "fail" || res.VerdictReason == "" {
		t.Fatalf("verdict %q (%s), want fail", res.Verdict, res.VerdictReason)
	}
	assertNothingLeft(t, dir)
}

func TestNativeTimeBasedRunWrapsAroundUntilTheDuration(t *testing.T) {
	dir := probeDirFor(t)
	j := Job{Profile: "custom", BlockSize: 4096, Size: 8 * 4096, Duration: 300 * time.Millisecond}
	res, err := Run(context.Background(), Options{Dir: dir, Job: j})
	if err != nil {
		t.Fatal(err)
	}
	// Whether it wrapped depends on the disk's speed; the duration bounds the run.
	if res.Elapsed < 300*time.Millisecond || res.Syncs == 0 || res.Budget.WriteBytes != 0 || res.Budget.Duration != j.Duration {
		t.Fatalf("elapsed %s syncs %d budget %+v", res.Elapsed, res.Syncs, res.Budget)
	}
	assertNothingLeft(t, dir)
}

func TestNativeRunStoppedByContextIsPartialAndLeavesNothing(t *testing.T) {
	dir := probeDirFor(t)
	ctx, cancel := context.WithCancel(context.Background())
	j := Job{Profile: "custom", BlockSize: 4096, Size: 64 << 20}
	res, err := Run(ctx, Options{Dir: dir, Job: j, Progress: func(done, _ int64) {
		if done > 0 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !res.Partial || res.Reason == "" {
		t.Fatalf("err %v partial %v reason %q; want a partial result and context.Canceled", err, res.Partial, res.Reason)
	}
	if res.Syncs == 0 || res.Syncs >= j.Writes() {
		t.Fatalf("syncs %d of %d", res.Syncs, j.Writes())
	}
	assertNothingLeft(t, dir)
}

func TestNativeRunOnTmpfsWarnsItSaysNothingAboutADisk(t *testing.T) {
	info, err := fsInfo("/dev/shm")
	if err != nil || info.Type != "tmpfs" {
		t.Skipf("/dev/shm is not tmpfs here (%+v, %v)", info, err)
	}
	dir, err := osMkdirTemp("/dev/shm")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	res, err := Run(context.Background(), Options{Dir: dir, Job: smallJob()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Filesystem.Type != "tmpfs" || !containsString(res.Warnings, "tmpfs is memory") {
		t.Fatalf("fs %+v warnings %q", res.Filesystem, res.Warnings)
	}
	assertNothingLeft(t, dir)
}

// A raw fdatasync's failure is returned, not lost: here a closed file's EBADF.
func TestRawFdatasyncReturnsTheSystemCallsError(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "sync")
	if err != nil {
		t.Fatal(err)
	}
	if err := fdatasyncRaw(f); err != nil {
		t.Fatalf("fdatasync of an open file: %v", err)
	}
	f.Close()
	if err := fdatasyncRaw(f); err == nil {
		t.Fatal("fdatasync of a closed file succeeded")
	}
}
