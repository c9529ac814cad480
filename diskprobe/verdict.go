package diskprobe

import (
	"fmt"
	"time"
)

// judge sets the verdict and the warnings.
func judge(r *Result) {
	p99 := r.Sync.Percentiles["99"]
	line := time.Duration(r.Threshold * 1e9)
	if r.Sync.Count > 0 && p99 < r.Threshold {
		r.Verdict = "pass"
		r.VerdictReason = fmt.Sprintf("p99 fdatasync %s is below the %s line", FormatSeconds(p99), line)
	} else {
		r.Verdict = "fail"
		r.VerdictReason = fmt.Sprintf("p99 fdatasync %s is not below the %s line (%.0f %% of it)", FormatSeconds(p99), line, 100*p99/r.Threshold)
	}
	if r.Sync.Count == 0 {
		r.VerdictReason = "no fdatasync was measured"
	}
	switch r.Filesystem.Type {
	case "tmpfs", "ramfs":
		r.Warnings = append(r.Warnings, r.Filesystem.Type+" is memory: its results say nothing about a real disk")
	case "overlay":
		r.Warnings = append(r.Warnings, "overlay (a container's writable layer): its results say little about the disk under it; probe a mounted volume")
	}
	if r.Partial {
		r.Warnings = append(r.Warnings, "partial run ("+r.Reason+"): the figures cover only what ran")
	}
	if r.Sync.Count > 0 && r.Sync.Count < 1000 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("only %d syncs: p99.9 rests on fewer than one sample beyond it", r.Sync.Count))
	}
}

// FormatSeconds prints a latency in seconds with a unit that suits it (812µs, 4.62ms, 1.2s).
func FormatSeconds(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.2fs", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.2fms", s*1e3)
	default:
		return fmt.Sprintf("%.0fµs", s*1e6)
	}
}
