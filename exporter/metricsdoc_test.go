package exporter

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/metricsdoc"
)

// A scrape that exercises every probe (TLS, key prefixes, the canary, a member that does not answer) exposes exactly the metrics
// docs/metrics.md lists, with the same type and HELP, and promtool finds nothing to complain about.
func TestEveryMetricIsDocumentedAndPassesPromtool(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3, TLS: true})
	f := c.TLS
	e := startExporter(t, "clusters:\n"+clusterYAML("all", c,
		"tls: {ca_file: "+f.CAFile+", cert_file: "+f.ClientCertFile+", key_file: "+f.ClientKeyFile+"}")+
		// A cluster that refuses connections, for the metrics of members that do not answer.
		"  - name: down\n    endpoints: [http://127.0.0.1:1]\n    request_timeout: 500ms\n"+
		"probes:\n  key_prefixes: [/a]\n  canary: {enabled: true}\n", Options{})
	_, metricsBody := get(t, e.URL+"/metrics", 10*time.Second)
	_, probeBody := get(t, e.URL+"/probe?target=all", 10*time.Second)

	exposed := map[string]*dto.MetricFamily{}
	for name, mf := range families(t, metricsBody) {
		exposed[name] = mf
	}
	for name, mf := range families(t, probeBody) {
		exposed[name] = mf
	}
	metricsdoc.Check(t, "../docs/metrics.md", "metrics", exposed)

	for what, body := range map[string]string{"/metrics": metricsBody, "/probe": probeBody} {
		cmd := exec.Command("promtool", "check", "metrics")
		cmd.Stdin = strings.NewReader(body)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Errorf("promtool check metrics on %s: %v\n%s", what, err, out.String())
		}
	}
}
