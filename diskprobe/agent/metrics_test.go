package agent

import (
	"bytes"
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/metricsdoc"
)

// After a scheduled and an on-demand probe, /metrics exposes exactly docs/metrics.md's table of
// the agent, with the same types, labels and HELP, and promtool finds nothing to complain about.
func TestEveryMetricIsDocumentedAndPassesPromtool(t *testing.T) {
	ta := newTestAgent(t, Config{})
	ta.scheduledProbe(context.Background())
	if status, body, _ := ta.post(t, context.Background(), `{"block_size": 2300, "size": 23000}`); status != http.StatusOK {
		t.Fatalf("POST /probe: %d %v", status, body)
	}
	scrape := ta.scrape(t)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := parser.TextToMetricFamilies(bytes.NewReader(scrape))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, scrape)
	}
	metricsdoc.Check(t, "../../docs/metrics.md", "diskprobe-metrics", mfs)

	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = bytes.NewReader(scrape)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}

// Before its first scheduled verdict the agent says when it started, so that a stuck agent
// shows in etcdMonitorDiskProbeDown; the scheduled last_* gauges are absent until then.
func TestLastRunIsTheStartTimeUntilTheFirstScheduledVerdict(t *testing.T) {
	ta := newTestAgent(t, Config{Interval: 2 * time.Minute})
	if got := ta.metric(t, "etcd_monitor_diskprobe_last_run_timestamp_seconds", map[string]string{"trigger": "schedule"}); got != float64(ta.started.UnixNano())/1e9 {
		t.Errorf("last run %g, want the start time %d", got, ta.started.Unix())
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_interval_seconds", nil); got != 120 {
		t.Errorf("interval %g, want 120", got)
	}
	if strings.Contains(string(ta.scrape(t)), "etcd_monitor_diskprobe_last_p99_seconds{") {
		t.Error("last_p99_seconds is exposed before any probe")
	}
	ta.scheduledProbe(context.Background())
	if got := ta.metric(t, "etcd_monitor_diskprobe_last_run_timestamp_seconds", map[string]string{"trigger": "schedule"}); got <= float64(ta.started.Unix()) {
		t.Errorf("last run %g after the first probe, want after the start %d", got, ta.started.Unix())
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_last_p99_seconds", map[string]string{"trigger": "schedule"}); got <= 0 {
		t.Errorf("last p99 %g after the first probe", got)
	}
}

// The agent's histogram puts each sync in etcd's WAL fsync buckets (1 ms doubling to 8.192 s).
func TestSyncsLandInEtcdsWALFsyncBuckets(t *testing.T) {
	h := hdrhistogram.New(1_000, int64(time.Minute), 3)
	for _, d := range []time.Duration{500 * time.Microsecond, 900 * time.Microsecond, 1500 * time.Microsecond,
		3 * time.Millisecond, 20 * time.Millisecond, 10 * time.Second} {
		if err := h.RecordValue(int64(d)); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	st := newStats()
	if err := addSyncs(st, diskprobe.Latency{Count: 6, Mean: 1.0, Histogram: string(enc)}); err != nil {
		t.Fatal(err)
	}
	want := map[float64]uint64{0.001: 2, 0.002: 3, 0.004: 4, 0.008: 4, 0.016: 4, 0.032: 5, 8.192: 5}
	for i, le := range walFsyncBuckets {
		if w, ok := want[le]; ok && st.buckets[i] != w {
			t.Errorf("bucket le=%g: %d, want %d", le, st.buckets[i], w)
		}
	}
	if st.count != 6 || st.sum != 6 {
		t.Errorf("count %d sum %g, want 6 and 6 (mean 1 s × 6)", st.count, st.sum)
	}
	// fio reports percentiles only: nothing to add, and no error.
	if err := addSyncs(st, diskprobe.Latency{Count: 10}); err != nil || st.count != 6 {
		t.Errorf("a fio latency added %d syncs (err %v)", st.count-6, err)
	}
	if err := addSyncs(st, diskprobe.Latency{Count: 1, Histogram: "not base64!"}); err == nil {
		t.Error("a broken histogram was accepted")
	}
}
