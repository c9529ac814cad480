package opsproxy

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/metricsdoc"
)

func scrape(t *testing.T, e *env) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	resp := e.call(t, "GET", "/metrics", "", nil)
	if resp.status != 200 {
		t.Fatalf("GET /metrics: %d %s", resp.status, resp.body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(resp.body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return string(resp.body), mfs
}

// value is the counter, gauge or histogram sample count of name with exactly labels.
func value(mfs map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	mf := mfs[name]
	if mf == nil {
		return -1
	}
	for _, m := range mf.GetMetric() {
		var got []string
		for _, lp := range m.GetLabel() {
			got = append(got, lp.GetName(), lp.GetValue())
		}
		if !slices.Equal(got, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return -1
}

// After requests of every kind, /metrics exposes exactly the metrics docs/metrics.md lists for
// opsproxy, with their type, labels and HELP; counts the requests by operation and status;
// observes audit commits; holds no token; and promtool finds nothing to complain about.
func TestMetricsAreDocumentedAndCountRequests(t *testing.T) {
	e := newEnv(t, envOptions{jobKinds: testJobKinds()})
	editor := e.token(t, TokenSpec{Name: "metrics-editor", Role: "editor", KeyPrefixes: []string{"/m/"}})
	if r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", editor, map[string]string{"key": "/m/a", "value": "v"}); r.status != 200 {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	if r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", editor, map[string]string{"key": "/other", "value": "v"}); r.status != 403 {
		t.Fatalf("put outside the prefixes: %d, want 403", r.status)
	}
	if r := e.call(t, "GET", "/api/v1/clusters/c1/keys?key=/m/a", "", nil); r.status != 401 {
		t.Fatalf("get without a token: %d, want 401", r.status)
	}
	if r := e.call(t, "GET", "/no/such/path", editor, nil); r.status != 404 {
		t.Fatalf("unknown path: %d, want 404", r.status)
	}
	if r := e.call(t, "GET", "/-/healthy", "", nil); r.status != 200 {
		t.Fatalf("healthy: %d", r.status)
	}
	body, mfs := scrape(t, e)

	const req = "etcd_monitor_opsproxy_http_requests_total"
	for _, c := range []struct {
		op, code string
		want     float64
	}{
		{"keys.put", "200", 1}, {"keys.put", "403", 1}, {"keys.get", "401", 1}, {"unmatched", "404", 1}, {"healthy", "200", 1},
	} {
		if got := value(mfs, req, "code", c.code, "operation", c.op); got != c.want {
			t.Errorf("%s{operation=%q,code=%q} = %v, want %v", req, c.op, c.code, got, c.want)
		}
	}
	if got := value(mfs, "etcd_monitor_opsproxy_http_request_duration_seconds", "operation", "keys.put"); got != 2 {
		t.Errorf("duration observations for keys.put: %v, want 2", got)
	}
	if got := value(mfs, "etcd_monitor_opsproxy_audit_commit_duration_seconds"); got < 1 {
		t.Errorf("audit commits observed: %v, want at least one", got)
	}
	// Only the allowed put waited for its attempt: the refused one was never sent.
	if got := value(mfs, "etcd_monitor_opsproxy_audit_wait_seconds", "operation", "keys.put"); got != 1 {
		t.Errorf("audit waits observed for keys.put: %v, want 1", got)
	}
	if got := value(mfs, "etcd_monitor_opsproxy_audit_batch_records"); got < 1 {
		t.Errorf("audit batches observed: %v, want at least one", got)
	}
	if got := value(mfs, "etcd_monitor_opsproxy_audit_records_not_committed_total"); got != 0 {
		t.Errorf("audit records not committed: %v, want 0", got)
	}
	if got := value(mfs, "etcd_monitor_opsproxy_config_last_reload_successful"); got != 1 {
		t.Errorf("config_last_reload_successful: %v, want 1", got)
	}
	for _, secret := range []string{editor, e.admin} {
		if strings.Contains(body, secret) {
			t.Fatal("/metrics contains a token")
		}
	}

	metricsdoc.Check(t, "../docs/metrics.md", "opsproxy-metrics", mfs)

	cmd := exec.Command("promtool", "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}
