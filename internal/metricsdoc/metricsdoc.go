package metricsdoc

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// Family is one row of a metrics table.
type Family struct {
	Type, Labels, Help string
}

// row matches "| name | type | labels | help |".
var row = regexp.MustCompile(`^\| ([a-z][a-z0-9_]*) \| (gauge|counter|histogram|summary) \|([^|]*)\| (.*) \|$`)

// Read returns the rows of the table between <!-- marker:begin --> and <!-- marker:end --> in path.
func Read(t testing.TB, path, marker string) map[string]Family {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	begin, end := strings.Index(doc, "<!-- "+marker+":begin -->"), strings.Index(doc, "<!-- "+marker+":end -->")
	if begin < 0 || end < begin {
		t.Fatalf("%s: %s:begin / %s:end markers missing", path, marker, marker)
	}
	out := map[string]Family{}
	for _, line := range strings.Split(doc[begin:end], "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			out[m[1]] = Family{Type: m[2], Labels: strings.TrimSpace(m[3]), Help: m[4]}
		}
	}
	return out
}

// runtimeFamily reports the Go runtime, process and promhttp families, which are not documented.
func runtimeFamily(name string) bool {
	return strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "promhttp_")
}

// Check reports every difference between the exposed families and the table of path.
func Check(t testing.TB, path, marker string, exposed map[string]*dto.MetricFamily) {
	t.Helper()
	doc := Read(t, path, marker)
	for name, mf := range exposed {
		if runtimeFamily(name) {
			continue
		}
		d, ok := doc[name]
		if !ok {
			t.Errorf("%s is exposed but not in %s", name, path)
			continue
		}
		if got := strings.ToLower(mf.GetType().String()); got != d.Type {
			t.Errorf("%s: type %s, %s says %s", name, got, path, d.Type)
		}
		var docLabels []string
		for _, l := range strings.Split(d.Labels, ",") {
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
				t.Errorf("%s: labels %v, %s says %v", name, got, path, docLabels)
				break
			}
		}
		if mf.GetHelp() != d.Help {
			t.Errorf("%s: HELP %q, %s says %q", name, mf.GetHelp(), path, d.Help)
		}
	}
	for name := range doc {
		if _, ok := exposed[name]; !ok {
			t.Errorf("%s is in %s but was not exposed", name, path)
		}
	}
}
