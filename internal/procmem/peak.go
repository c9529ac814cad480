package procmem

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Peak is the peak resident memory of a process, sampled every 5 ms: all of it (VmRSS, which
// counts the pages of files it maps, such as a bbolt database etcd's snapshot code opens) and its
// anonymous memory alone (RssAnon: heap, stacks, buffers), in KiB.
type Peak struct{ Total, Anon atomic.Int64 }

// Sample samples the process whose status file is at path ("/proc/self/status",
// "/proc/<pid>/status") until stop is called.
func Sample(path string) (peak *Peak, stop func()) {
	peak = &Peak{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			total, anon := Read(path)
			if total > peak.Total.Load() {
				peak.Total.Store(total)
			}
			if anon > peak.Anon.Load() {
				peak.Anon.Store(anon)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return peak, func() { close(done); wg.Wait() }
}

// Read returns VmRSS and RssAnon, in KiB, from a /proc status file; zeros when it cannot be
// read (the process is gone).
func Read(path string) (total, anon int64) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	kib := func(v string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		return n
	}
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			total = kib(v)
		}
		if v, ok := strings.CutPrefix(sc.Text(), "RssAnon:"); ok {
			anon = kib(v)
		}
	}
	return total, anon
}
