package diskprobe

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// WriteText prints the result as the text report of `etcd-monitor diskprobe`.
func WriteText(w io.Writer, r Result) error {
	var b strings.Builder
	j := r.Job
	fmt.Fprintf(&b, "Disk probe: %s engine, profile %s (%d-byte writes each followed by fdatasync, %s", r.Engine, j.Profile, j.BlockSize, FormatBytes(j.Size))
	if j.Duration > 0 {
		fmt.Fprintf(&b, " rewritten for %s", j.Duration)
	}
	if r.Engine == EngineNative && j.Preallocate > 0 {
		fmt.Fprintf(&b, ", %s preallocated", FormatBytes(j.Preallocate))
	}
	b.WriteString(")\n")
	fmt.Fprintf(&b, "Measured on:  %s", r.Dir)
	if r.Filesystem.Type != "" {
		fmt.Fprintf(&b, " (%s", r.Filesystem.Type)
		if r.Filesystem.Device != "" {
			fmt.Fprintf(&b, " on %s, mounted at %s", r.Filesystem.Device, r.Filesystem.MountPoint)
		}
		b.WriteString(")")
	}
	if r.Host != "" {
		fmt.Fprintf(&b, ", host %s", r.Host)
	}
	b.WriteString("\n")
	if r.WALDir != "" {
		fmt.Fprintf(&b, "WAL dir:      %s\n", r.WALDir)
	}
	fmt.Fprintf(&b, "I/O budget:   %s of disk space (removed after), %s\n", FormatBytes(r.Budget.SpaceBytes), budgetWrites(r.Budget))
	fmt.Fprintf(&b, "Written:      %d syncs, %s in %s (%.0f IOPS)\n", r.Syncs, FormatBytes(r.Bytes), r.Elapsed.Round(time.Millisecond), r.IOPS)
	writeLatencyLine(&b, "fdatasync:   ", r.Sync)
	if r.Write != nil {
		writeLatencyLine(&b, "write:       ", *r.Write)
	}
	if h := histogramText(r.Sync); h != "" {
		b.WriteString("\nfdatasync latency histogram:\n")
		b.WriteString(h)
	}
	if m := r.Member; m != nil {
		b.WriteString("\n")
		switch {
		case m.Error != "":
			fmt.Fprintf(&b, "Member %s: not compared: %s\n", m.URL, m.Error)
		case m.Fsyncs == 0:
			fmt.Fprintf(&b, "Member %s: made no WAL fsync during the probe\n", m.URL)
		default:
			fmt.Fprintf(&b, "Member %s: %d WAL fsyncs during the probe, p99 %s (from its histogram's buckets) against our %s\n",
				m.URL, m.Fsyncs, FormatSeconds(m.P99), FormatSeconds(r.Sync.Percentiles["99"]))
		}
	}
	if r.Runner.CPUSeconds > 0 || r.Runner.MaxRSS > 0 {
		fmt.Fprintf(&b, "Probe's cost: %.2fs CPU, %s peak RSS\n", r.Runner.CPUSeconds, FormatBytes(r.Runner.MaxRSS))
	}
	for _, d := range r.RemovedLeftovers {
		fmt.Fprintf(&b, "Removed a crashed probe's directory: %s\n", d)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "WARNING: %s\n", wn)
	}
	fmt.Fprintf(&b, "\nVerdict: %s: %s\n", strings.ToUpper(r.Verdict), r.VerdictReason)
	_, err := io.WriteString(w, b.String())
	return err
}

func budgetWrites(bu Budget) string {
	if bu.WriteBytes > 0 {
		return FormatBytes(bu.WriteBytes) + " written"
	}
	return "writes for " + bu.Duration.String()
}

func writeLatencyLine(b *strings.Builder, name string, l Latency) {
	fmt.Fprintf(b, "%s", name)
	for _, p := range percentileKeys {
		if v, ok := l.Percentiles[p.key]; ok {
			fmt.Fprintf(b, " p%s %s ", p.key, FormatSeconds(v))
		}
	}
	fmt.Fprintf(b, " max %s  (mean %s, stddev %s)\n", FormatSeconds(l.Max), FormatSeconds(l.Mean), FormatSeconds(l.Stddev))
}

// histogramText draws the latency histogram in buckets doubling from 62.5 µs (etcd's own
// fsync buckets double from 1 ms); empty when the result kept no histogram (fio).
func histogramText(l Latency) string {
	h, err := l.DecodeHistogram()
	if err != nil || h.TotalCount() == 0 {
		return ""
	}
	const first = 62_500 // ns
	var bounds []int64
	for le := int64(first); ; le *= 2 {
		bounds = append(bounds, le)
		if le >= h.Max() {
			break
		}
	}
	counts := make([]int64, len(bounds))
	for _, bar := range h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		i := 0
		for i < len(bounds)-1 && bar.From >= bounds[i] {
			i++
		}
		counts[i] += bar.Count
	}
	lo := 0
	for lo < len(counts)-1 && counts[lo] == 0 {
		lo++
	}
	var peak int64
	for _, c := range counts {
		peak = max(peak, c)
	}
	const width = 40
	var b strings.Builder
	total := float64(h.TotalCount())
	for i := lo; i < len(counts); i++ {
		from := "0"
		if i > 0 {
			from = FormatSeconds(seconds(bounds[i-1]))
		}
		bar := int(math.Round(width * float64(counts[i]) / float64(peak)))
		if counts[i] > 0 && bar == 0 {
			bar = 1
		}
		fmt.Fprintf(&b, "  %8s - %-8s |%-*s| %7d %5.1f%%\n", from, FormatSeconds(seconds(bounds[i])), width, strings.Repeat("#", bar), counts[i], 100*float64(counts[i])/total)
	}
	return b.String()
}
