package agent

import (
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProbeOnDemandAnswersTheResultAndLeavesNothingBehind(t *testing.T) {
	ta := newTestAgent(t, Config{})
	if status, body, _ := do(t, mustRequest(t, "GET", ta.srv.URL+"/probe/last")); status != http.StatusNotFound || body["error"] == nil {
		t.Fatalf("GET /probe/last before any probe: %d %v; want 404 with an error", status, body)
	}
	status, body, _ := ta.post(t, context.Background(), `{"block_size": 2300, "size": 230000, "threshold": 5}`)
	if status != http.StatusOK {
		t.Fatalf("POST /probe: %d %v", status, body)
	}
	res := decodeResult(t, body)
	if res.Verdict != "pass" || res.Syncs != 100 || res.Bytes != 230_000 || res.Sync.Percentiles["99"] <= 0 {
		t.Fatalf("result: verdict %q, %d syncs, %d bytes, p99 %g; want pass (5 s line), 100 syncs, 230000 bytes",
			res.Verdict, res.Syncs, res.Bytes, res.Sync.Percentiles["99"])
	}
	if left := leftovers(t, ta.dir); len(left) != 0 {
		t.Fatalf("the probe left %v", left)
	}
	status, body, _ = do(t, mustRequest(t, "GET", ta.srv.URL+"/probe/last"))
	if last := decodeResult(t, body); status != http.StatusOK || !last.StartedAt.Equal(res.StartedAt) {
		t.Fatalf("GET /probe/last: %d, started %s; want 200 with the probe of %s", status, last.StartedAt, res.StartedAt)
	}
	for name, want := range map[string]float64{
		"etcd_monitor_diskprobe_runs_total":            1,
		"etcd_monitor_diskprobe_bytes_written_total":   230_000,
		"etcd_monitor_diskprobe_sync_duration_seconds": 100,
		"etcd_monitor_diskprobe_last_verdict":          1,
	} {
		labels := map[string]string{"trigger": "demand"}
		if name == "etcd_monitor_diskprobe_runs_total" {
			labels["result"] = "pass"
		}
		if got := ta.metric(t, name, labels); got != want {
			t.Errorf("%s%v = %g, want %g", name, labels, got, want)
		}
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_budget_used_bytes", nil); got != 230_000 {
		t.Errorf("budget used %g, want 230000", got)
	}
}

func TestProbesRunOnTheMembersWALDirectory(t *testing.T) {
	wal := t.TempDir()
	ta := newTestAgent(t, Config{WALDir: wal})
	status, body, _ := ta.post(t, context.Background(), `{"block_size": 2300, "size": 23000}`)
	if res := decodeResult(t, body); status != http.StatusOK || res.WALDir != wal {
		t.Fatalf("%d, wal_dir %q; want 200 naming %s", status, res.WALDir, wal)
	}
	ta.scheduledProbe(context.Background())
	if last := ta.lastResult(); last == nil || last.WALDir != wal {
		t.Fatalf("scheduled probe: %+v; want it on %s", last, wal)
	}
}

func TestProbeRequestsThatMakeNoSenseAre400NamingTheField(t *testing.T) {
	ta := newTestAgent(t, Config{})
	for _, tc := range []struct {
		name, body, want string
	}{
		{"invalid JSON", `{"size": `, "body: invalid JSON"},
		{"not JSON", `size=1`, "body: invalid JSON at byte 1"},
		{"unknown field", `{"sise": 1000}`, `body: unknown field "sise"`},
		{"wrong type", `{"size": "22m"}`, "size: want a int64"},
		{"trailing data", `{} {}`, "body: unexpected data after the JSON object"},
		{"unknown profile", `{"profile": "fast"}`, "profile: unknown profile"},
		{"unknown engine", `{"engine": "dd"}`, "engine: unknown engine"},
		{"negative size", `{"size": -1}`, "size: must not be negative"},
		{"block larger than size", `{"block_size": 8000, "size": 4000}`, "size: must be at least the block size"},
		{"nonsense duration", `{"duration": "soon"}`, "duration:"},
		{"threshold of a minute", `{"threshold": 60}`, "threshold: must be above 0"},
		{"time-based fio", `{"engine": "fio", "profile": "openshift"}`, "duration: a time-based probe with the fio engine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := ta.post(t, context.Background(), tc.body)
			msg, _ := body["error"].(string)
			if status != http.StatusBadRequest || !strings.Contains(msg, tc.want) {
				t.Fatalf("%d %q; want 400 containing %q", status, msg, tc.want)
			}
		})
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_runs_total", map[string]string{"trigger": "demand", "result": "error"}); got != 0 {
		t.Errorf("bad requests counted as %g failed runs", got)
	}
	if left := leftovers(t, ta.dir); len(left) != 0 {
		t.Fatalf("bad requests left %v", left)
	}
}

func TestOversizedProbeRequestIs413(t *testing.T) {
	ta := newTestAgent(t, Config{})
	body := `{"profile": "agent", "engine": "native"` + strings.Repeat(" ", MaxRequestBytes) + `}`
	status, resp, _ := ta.post(t, context.Background(), body)
	if msg, _ := resp["error"].(string); status != http.StatusRequestEntityTooLarge || !strings.Contains(msg, "body: larger than") {
		t.Fatalf("%d %v; want 413 saying the body is too large", status, resp)
	}
}

func TestSecondConcurrentProbeIs409AndTheFirstGoesOn(t *testing.T) {
	ta := newTestAgent(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Time-based: it runs until cancelled below (or 60 s).
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ta.srv.URL+"/probe",
			strings.NewReader(`{"block_size": 2300, "size": 230000, "duration": "60s"}`))
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	waitFor(t, "the first probe to run", func() bool { return ta.isRunning(triggerDemand) })

	status, body, _ := ta.post(t, context.Background(), `{"profile": "agent"}`)
	running, _ := body["running"].(map[string]any)
	if msg, _ := body["error"].(string); status != http.StatusConflict || !strings.Contains(msg, "one probe runs at a time") ||
		running["trigger"] != "demand" {
		t.Fatalf("second probe: %d %v; want 409 naming the running demand probe", status, body)
	}
	// A scheduled probe due meanwhile is skipped, not queued.
	ta.scheduledProbe(context.Background())
	if got := ta.metric(t, "etcd_monitor_diskprobe_refused_total", map[string]string{"trigger": "schedule", "reason": "busy"}); got != 1 {
		t.Errorf("refused_total{schedule,busy} = %g, want 1", got)
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_refused_total", map[string]string{"trigger": "demand", "reason": "busy"}); got != 1 {
		t.Errorf("refused_total{demand,busy} = %g, want 1", got)
	}
	if !ta.isRunning(triggerDemand) {
		t.Fatal("the first probe stopped when the second was refused")
	}
	cancel()
	wg.Wait()
}

func TestCancelledCallerStopsTheProbeAndItsDirectoryIsGone(t *testing.T) {
	ta := newTestAgent(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ta.srv.URL+"/probe",
			strings.NewReader(`{"block_size": 2300, "size": 230000, "duration": "10m"}`))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the probe to run", func() bool { return ta.isRunning(triggerDemand) })
	waitFor(t, "the probe's directory", func() bool { return len(leftovers(t, ta.dir)) == 1 })
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled request got an answer")
	}
	waitFor(t, "the probe to stop", func() bool { return !ta.isRunning(triggerDemand) })
	if left := leftovers(t, ta.dir); len(left) != 0 {
		t.Fatalf("the cancelled probe left %v", left)
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_runs_total", map[string]string{"trigger": "demand", "result": "cancelled"}); got != 1 {
		t.Errorf("runs_total{demand,cancelled} = %g, want 1", got)
	}
	// A cancelled probe has no verdict to show.
	if status, _, _ := do(t, mustRequest(t, "GET", ta.srv.URL+"/probe/last")); status != http.StatusNotFound {
		t.Errorf("GET /probe/last after a cancelled probe: %d, want 404", status)
	}
	// And the agent takes the next probe.
	if status, body, _ := ta.post(t, context.Background(), `{"block_size": 2300, "size": 23000}`); status != http.StatusOK {
		t.Fatalf("probe after the cancelled one: %d %v", status, body)
	}
}

func TestProbeOverTheBudgetIs429SayingWhenItFrees(t *testing.T) {
	ta := newTestAgent(t, Config{MaxBytesPerHour: 300_000})
	if status, body, _ := ta.post(t, context.Background(), `{"block_size": 2300, "size": 230000}`); status != http.StatusOK {
		t.Fatalf("first probe: %d %v", status, body)
	}
	before := time.Now()
	status, body, hdr := ta.post(t, context.Background(), `{"block_size": 2300, "size": 230000}`)
	msg, _ := body["error"].(string)
	if status != http.StatusTooManyRequests || !strings.Contains(msg, "I/O budget of 293.0 KiB per hour") {
		t.Fatalf("second probe: %d %v; want 429 naming the budget", status, body)
	}
	freesAt, err := time.Parse(time.RFC3339Nano, body["frees_at"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if freesAt.Before(before.Add(59*time.Minute)) || freesAt.After(time.Now().Add(time.Hour)) {
		t.Errorf("frees_at %s, want an hour after the first probe ended", freesAt)
	}
	if body["budget_bytes_per_hour"] != float64(300_000) || body["used_bytes"] != float64(230_000) || body["requested_bytes"] != float64(230_000) {
		t.Errorf("budget figures %v", body)
	}
	if hdr.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	// A smaller probe still fits.
	if status, body, _ := ta.post(t, context.Background(), `{"block_size": 2300, "size": 23000}`); status != http.StatusOK {
		t.Fatalf("probe within what is left: %d %v", status, body)
	}
	// A scheduled probe over the budget is skipped.
	ta.scheduledProbe(context.Background())
	if got := ta.metric(t, "etcd_monitor_diskprobe_refused_total", map[string]string{"trigger": "schedule", "reason": "budget"}); got != 1 {
		t.Errorf("refused_total{schedule,budget} = %g, want 1", got)
	}
}

func TestProbeLargerThanTheWholeBudgetIs400(t *testing.T) {
	ta := newTestAgent(t, Config{MaxBytesPerHour: 300_000})
	status, body, _ := ta.post(t, context.Background(), `{"profile": "etcd"}`)
	if msg, _ := body["error"].(string); status != http.StatusBadRequest || !strings.HasPrefix(msg, "size: the probe would write 22.0 MiB, more than the agent's whole I/O budget") {
		t.Fatalf("%d %v; want 400 naming size and the budget", status, body)
	}
}

func TestTimeBasedProbeStopsAtWhatTheBudgetHasLeft(t *testing.T) {
	ta := newTestAgent(t, Config{MaxBytesPerHour: 400_000})
	status, body, _ := ta.post(t, context.Background(), `{"block_size": 2300, "size": 230000, "duration": "10m"}`)
	if status != http.StatusOK {
		t.Fatalf("%d %v", status, body)
	}
	res := decodeResult(t, body)
	if !res.Partial || res.Bytes > 400_000 || res.Verdict == "" || !strings.Contains(strings.Join(res.Warnings, "\n"), "stopped at the bytes reserved from the I/O budget") {
		t.Fatalf("partial %v, %d bytes, verdict %q, warnings %q; want a partial run with a verdict, within 400000 bytes, saying why it stopped",
			res.Partial, res.Bytes, res.Verdict, res.Warnings)
	}
	if used := ta.metric(t, "etcd_monitor_diskprobe_budget_used_bytes", nil); used != float64(res.Bytes) {
		t.Errorf("budget used %g, want what the probe wrote (%d)", used, res.Bytes)
	}
	if left := leftovers(t, ta.dir); len(left) != 0 {
		t.Fatalf("left %v", left)
	}
}

func TestProbeInAVanishedDirectoryIs503AndCountsAsError(t *testing.T) {
	ta := newTestAgent(t, Config{})
	if err := os.Remove(ta.dir); err != nil {
		t.Fatal(err)
	}
	status, body, _ := ta.post(t, context.Background(), `{"profile": "agent"}`)
	if msg, _ := body["error"].(string); status != http.StatusServiceUnavailable || !strings.Contains(msg, "does not exist") {
		t.Fatalf("%d %v; want 503 saying the directory does not exist", status, body)
	}
	ta.scheduledProbe(context.Background())
	for _, trigger := range []string{"demand", "schedule"} {
		if got := ta.metric(t, "etcd_monitor_diskprobe_runs_total", map[string]string{"trigger": trigger, "result": "error"}); got != 1 {
			t.Errorf("runs_total{%s,error} = %g, want 1", trigger, got)
		}
	}
	if !strings.Contains(ta.log.String(), "scheduled probe failed") {
		t.Error("the failed scheduled probe is not logged")
	}
}

func TestEndpointsAnswerJSONForWrongMethodsAndPaths(t *testing.T) {
	ta := newTestAgent(t, Config{})
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/probe", http.StatusMethodNotAllowed},
		{"DELETE", "/probe/last", http.StatusMethodNotAllowed},
		{"POST", "/metrics", http.StatusMethodNotAllowed},
		{"GET", "/nothing", http.StatusNotFound},
		{"GET", "/-/healthy", http.StatusOK},
	} {
		status, body, _ := do(t, mustRequest(t, tc.method, ta.srv.URL+tc.path))
		if status != tc.want || (tc.want != http.StatusOK && body["error"] == nil) {
			t.Errorf("%s %s: %d %v; want %d", tc.method, tc.path, status, body, tc.want)
		}
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// A probe through the installed fio answers fio's figures and verdict; fio reports percentiles,
// not each sync, so the sync histogram does not grow, while the last p99 and verdict do.
func TestFioProbeOnDemandSetsTheLastFiguresButNotTheHistogram(t *testing.T) {
	ta := newTestAgent(t, Config{})
	status, body, _ := ta.post(t, context.Background(), `{"engine": "fio", "block_size": 2300, "size": 230000, "threshold": 5}`)
	if status != http.StatusOK {
		t.Fatalf("%d %v", status, body)
	}
	res := decodeResult(t, body)
	if res.Engine != "fio" || res.Verdict != "pass" || res.Sync.Count < 90 {
		t.Fatalf("engine %q verdict %q syncs %d; want fio's pass over about 100 syncs", res.Engine, res.Verdict, res.Sync.Count)
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_last_p99_seconds", map[string]string{"trigger": "demand"}); got != res.Sync.Percentiles["99"] {
		t.Errorf("last p99 %g, want fio's %g", got, res.Sync.Percentiles["99"])
	}
	if got := ta.metric(t, "etcd_monitor_diskprobe_sync_duration_seconds", map[string]string{"trigger": "demand"}); got != 0 {
		t.Errorf("the histogram counts %g syncs of a fio probe", got)
	}
	if left := leftovers(t, ta.dir); len(left) != 0 {
		t.Fatalf("left %v", left)
	}
	// fio missing: the probe cannot run, 503 saying so.
	ta2 := newTestAgent(t, Config{FioPath: "/nonexistent/fio"})
	status, body, _ = ta2.post(t, context.Background(), `{"engine": "fio", "block_size": 2300, "size": 23000}`)
	if msg, _ := body["error"].(string); status != http.StatusServiceUnavailable || !strings.Contains(msg, "fio not found") {
		t.Fatalf("%d %v; want 503 saying fio is not found", status, body)
	}
}
