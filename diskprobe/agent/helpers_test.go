package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
)

// smallJob is a scheduled job small enough for a busy test machine: 100 syncs.
var smallJob = diskprobe.Job{Profile: "custom", BlockSize: 2300, Size: 230_000, Preallocate: 230_000}

// testAgent is a real agent on a temporary directory, served on loopback.
type testAgent struct {
	*Agent
	dir string
	srv *httptest.Server
	reg *prometheus.Registry
	log *logtest.Buffer
}

// newTestAgent starts an agent with cfg (Dir defaults to a temporary directory, Job to
// smallJob); its scheduled probes run only when the test calls Run or scheduledProbe.
func newTestAgent(t *testing.T, cfg Config) *testAgent {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.Job == (diskprobe.Job{}) {
		cfg.Job = smallJob
	}
	log := &logtest.Buffer{}
	reg := newRegistry()
	a, err := New(cfg, slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})), reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("agent log:\n%s", log)
		}
	})
	return &testAgent{Agent: a, dir: cfg.Dir, srv: srv, reg: reg, log: log}
}

// post sends body to POST /probe and returns the status and decoded JSON body.
func (ta *testAgent) post(t *testing.T, ctx context.Context, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ta.srv.URL+"/probe", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json; body %s", req.Method, req.URL.Path, ct, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v\n%s", req.Method, req.URL.Path, err, raw)
	}
	return resp.StatusCode, out, resp.Header
}

// result decodes a 200 answer of POST /probe.
func decodeResult(t *testing.T, body map[string]any) diskprobe.Result {
	t.Helper()
	raw, _ := json.Marshal(body)
	var res diskprobe.Result
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// waitFor polls cond until it holds, failing the test after a generous deadline: the deadline
// only keeps a broken test from hanging, it asserts nothing about speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
	}
}

// isRunning reports whether a probe of trigger runs.
func (ta *testAgent) isRunning(trigger string) bool {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return ta.running != nil && ta.running.trigger == trigger
}

// leftovers lists the probe directories left in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, diskprobe.WorkDirPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// counter reads one series of the agent's metrics.
func (ta *testAgent) metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := ta.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue series
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	t.Fatalf("%s%v not exposed", name, labels)
	return 0
}

// scrape returns the /metrics exposition.
func (ta *testAgent) scrape(t *testing.T) []byte {
	t.Helper()
	resp, err := http.Get(ta.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d\n%s", resp.StatusCode, buf.String())
	}
	return buf.Bytes()
}
