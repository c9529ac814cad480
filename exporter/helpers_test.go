package exporter

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	os.Exit(m.Run())
}

// testExporter is an exporter serving on a loopback test server, its log kept in memory.
type testExporter struct {
	*Exporter
	URL        string
	Log        *logtest.Buffer
	ConfigFile string
}

// writeConfig writes a configuration file into a temporary directory and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "etcd-monitor.yml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// clusterYAML is a cluster entry for a test cluster; extra lines are appended indented.
func clusterYAML(name string, c *etcdtest.Cluster, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    endpoints: [%s]\n    dial_timeout: 2s\n    request_timeout: 1s\n", name, strings.Join(c.Endpoints(), ", "))
	for _, e := range extra {
		fmt.Fprintf(&b, "    %s\n", e)
	}
	return b.String()
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newLoopbackServer serves h on a loopback test server closed at cleanup, and returns its URL.
func newLoopbackServer(tb testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}

func startExporter(t *testing.T, config string, opts Options) *testExporter {
	t.Helper()
	path := writeConfig(t, config)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("load config: %v", err)
	}
	logs := &logtest.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.ConfigFile = path
	e, err := New(cfg, logger, opts)
	if err != nil {
		t.Fatal(err)
	}
	h, err := e.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		e.Close()
		if t.Failed() {
			t.Logf("exporter log:\n%s", logs.String())
		}
	})
	return &testExporter{Exporter: e, URL: srv.URL, Log: logs, ConfigFile: path}
}

// get fetches a path with Prometheus's scrape timeout header; the HTTP client's own limit only
// catches a hang, it asserts nothing about speed.
func get(t *testing.T, url string, scrapeTimeout time.Duration) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if scrapeTimeout > 0 {
		req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", fmt.Sprintf("%g", scrapeTimeout.Seconds()))
	}
	client := &http.Client{Timeout: scrapeTimeout + 20*time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// families parses a text exposition.
func families(t *testing.T, body string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, body)
	}
	return mfs
}

// scrapeMetrics scrapes /metrics and parses it.
func scrapeMetrics(t *testing.T, e *testExporter, timeout time.Duration) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, e.URL+"/metrics", timeout)
	if code != http.StatusOK {
		t.Fatalf("/metrics: HTTP %d: %s", code, body)
	}
	return families(t, body)
}

// sample returns the value of the series of a family whose labels include all of want.
func sample(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf, ok := mfs[name]
	if !ok {
		return 0, false
	}
	for _, m := range mf.Metric {
		match := true
		for k, v := range want {
			found := false
			for _, lp := range m.Label {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			if !found {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// mustSample fails the test unless the series exists with the wanted value.
func mustSample(t *testing.T, mfs map[string]*dto.MetricFamily, name string, labels map[string]string, want float64) {
	t.Helper()
	got, ok := sample(mfs, name, labels)
	if !ok {
		t.Errorf("%s%v: missing", name, labels)
		return
	}
	if got != want {
		t.Errorf("%s%v = %g, want %g", name, labels, got, want)
	}
}

func lbl(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
