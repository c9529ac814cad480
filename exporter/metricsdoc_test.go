package exporter

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// documentedMetric is one row of the table in docs/metrics.md.
type documentedMetric struct{ typ, labels, help string }

func readMetricsDoc(t *testing.T) map[string]documentedMetric {
	t.Helper()
	raw, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	begin, end := strings.Index(doc, "<!-- metrics:begin -->"), strings.Index(doc, "<!-- metrics:end -->")
	if begin < 0 || end < begin {
		t.Fatal("docs/metrics.md: metrics:begin / metrics:end markers missing")
	}
	row := regexp.MustCompile(`^\| ([a-z_]+) \| (gauge|counter) \|([^|]*)\| (.*) \|$`)
	out := map[string]documentedMetric{}
	for _, line := range strings.Split(doc[begin:end], "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			out[m[1]] = documentedMetric{typ: m[2], labels: strings.TrimSpace(m[3]), help: m[4]}
		}
	}
	return out
}

// A scrape that exercises every probe (TLS, key prefixes, the canary) exposes exactly the metrics
// docs/metrics.md lists, with the same type and HELP, and promtool finds nothing to complain about.
func TestEveryMetricIsDocumentedAndPassesPromtool(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3, TLS: true})
	f := c.TLS
	e := startExporter(t, "clusters:\n"+clusterYAML("all", c,
		"tls: {ca_file: "+f.CAFile+", cert_file: "+f.ClientCertFile+", key_file: "+f.ClientKeyFile+"}")+
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
	doc := readMetricsDoc(t)
	for name, mf := range exposed {
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "promhttp_") {
			continue
		}
		d, ok := doc[name]
		if !ok {
			t.Errorf("%s is exposed but not in docs/metrics.md", name)
			continue
		}
		if got := strings.ToLower(mf.GetType().String()); got != d.typ {
			t.Errorf("%s: type %s, docs say %s", name, got, d.typ)
		}
		var docLabels []string
		for _, l := range strings.Split(d.labels, ",") {
			if l = strings.TrimSpace(l); l != "" {
				docLabels = append(docLabels, l)
			}
		}
		slices.Sort(docLabels)
		for _, m := range mf.GetMetric() {
			var got []string
			for _, lp := range m.GetLabel() {
				got = append(got, lp.GetName())
			}
			slices.Sort(got)
			if !slices.Equal(got, docLabels) {
				t.Errorf("%s: labels %v, docs say %v", name, got, docLabels)
				break
			}
		}
		if mf.GetHelp() != d.help {
			t.Errorf("%s: HELP %q, docs say %q", name, mf.GetHelp(), d.help)
		}
	}
	for name := range doc {
		if _, ok := exposed[name]; !ok {
			t.Errorf("%s is in docs/metrics.md but was not exposed", name)
		}
	}

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
