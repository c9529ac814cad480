package diskprobe

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// progressEvery bounds how often the native engine calls Options.Progress.
const progressEvery = 100 * time.Millisecond

// engineOutput is what an engine measured.
type engineOutput struct {
	syncs, bytes int64
	elapsed      time.Duration
	sync         Latency
	write        *Latency
	runner       Runner
	partial      bool
}

// runNative writes as etcd's WAL does, in dir: a segment preallocated with fallocate (as
// etcd's fileutil.Preallocate), then BlockSize writes from the start of the file each followed
// by fdatasync, until Size is written or, time-based, until Duration has passed (wrapping to
// the start of the file at Size, as fio's time_based does).
func runNative(ctx context.Context, dir string, o Options) (engineOutput, error) {
	var out engineOutput
	j := o.Job
	f, err := os.OpenFile(filepath.Join(dir, "segment.wal"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return out, fmt.Errorf("create the probe's segment: %w", err)
	}
	defer f.Close()
	if j.Preallocate > 0 {
		if err := preallocate(f, j.Preallocate); err != nil {
			return out, fmt.Errorf("preallocate %s: %w", FormatBytes(j.Preallocate), err)
		}
		// The preallocation itself is made durable before timing starts, as etcd's WAL
		// syncs a new segment's header before appending records.
		if err := fdatasync(f); err != nil {
			return out, fmt.Errorf("fdatasync after preallocation: %w", err)
		}
	}
	sync := fdatasync
	if o.RawSync {
		sync = fdatasyncRaw
	}
	buf := make([]byte, j.BlockSize)
	_, _ = rand.Read(buf)

	syncH, writeH := newLatencyHistogram(), newLatencyHistogram()
	total := j.Writes()
	if j.Duration > 0 {
		total = j.Duration.Milliseconds()
	}
	cpu0 := selfCPU()
	start := time.Now()
	lastProgress := start
	var off int64
	done := ctx.Done()
	for n := int64(0); ; n++ {
		if j.Duration > 0 {
			if time.Since(start) >= j.Duration {
				break
			}
			if off+j.BlockSize > j.Size {
				off = 0
			}
		} else if n >= total {
			break
		}
		select {
		case <-done:
			out.partial = true
		default:
		}
		if out.partial {
			break
		}
		t0 := time.Now()
		if _, err := f.WriteAt(buf, off); err != nil {
			return out, fmt.Errorf("write at offset %d: %w", off, err)
		}
		t1 := time.Now()
		if err := sync(f); err != nil {
			return out, fmt.Errorf("fdatasync: %w", err)
		}
		t2 := time.Now()
		record(writeH, t1.Sub(t0))
		record(syncH, t2.Sub(t1))
		off += j.BlockSize
		out.syncs++
		out.bytes += j.BlockSize
		if o.Progress != nil && t2.Sub(lastProgress) >= progressEvery {
			lastProgress = t2
			if j.Duration > 0 {
				o.Progress(min(t2.Sub(start).Milliseconds(), total), total)
			} else {
				o.Progress(out.syncs, total)
			}
		}
	}
	out.elapsed = time.Since(start)
	if o.Progress != nil && !out.partial {
		o.Progress(total, total)
	}
	out.sync = latencyOf(syncH)
	w := latencyOf(writeH)
	out.write = &w
	out.runner = Runner{CPUSeconds: selfCPU() - cpu0, MaxRSS: selfMaxRSS()}
	return out, nil
}
