package dashboards

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// query is one PromQL expression of a dashboard, with where it was found.
type query struct {
	file  string
	where string
	expr  string
}

func (q query) String() string { return q.where + ": " + q.expr }

// queries returns every PromQL expression of every dashboard: panel targets, and the selectors
// and expressions inside query variables (label_values(selector, label), query_result(expr)).
func queries(t *testing.T) []query {
	t.Helper()
	var out []query
	for _, d := range All() {
		model := renderModel(t, d)
		for _, p := range panelsOf(model) {
			title, _ := p["title"].(string)
			targets, _ := p["targets"].([]any)
			for _, tg := range targets {
				tm := tg.(map[string]any)
				if expr, ok := tm["expr"].(string); ok {
					out = append(out, query{file: d.File, where: fmt.Sprintf("%s panel %q target %v", d.File, title, tm["refId"]), expr: expr})
				}
			}
		}
		for _, v := range variablesOf(model) {
			if v["type"] != "query" {
				continue
			}
			where := fmt.Sprintf("%s variable %q", d.File, v["name"])
			raw, _ := v["query"].(string)
			expr, err := variableQueryExpr(raw)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if expr != "" {
				out = append(out, query{file: d.File, where: where, expr: expr})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("the dashboards have no queries")
	}
	return out
}

func panelsOf(model map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := model["panels"].([]any)
	for _, p := range list {
		pm := p.(map[string]any)
		out = append(out, pm)
		// Collapsed rows carry their panels inside.
		out = append(out, panelsOf(pm)...)
	}
	return out
}

func variablesOf(model map[string]any) []map[string]any {
	templating, _ := model["templating"].(map[string]any)
	list, _ := templating["list"].([]any)
	out := make([]map[string]any, len(list))
	for i, v := range list {
		out[i] = v.(map[string]any)
	}
	return out
}

var (
	labelValuesQuery = regexp.MustCompile(`^label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$`)
	labelOnlyQuery   = regexp.MustCompile(`^label_values\(\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$`)
	queryResultQuery = regexp.MustCompile(`^query_result\((.+)\)$`)
)

// variableQueryExpr extracts the PromQL inside a Grafana Prometheus variable query; it returns ""
// for label_values(label), which has none.
func variableQueryExpr(q string) (string, error) {
	q = strings.TrimSpace(q)
	switch {
	case labelOnlyQuery.MatchString(q):
		return "", nil
	case labelValuesQuery.MatchString(q):
		return labelValuesQuery.FindStringSubmatch(q)[1], nil
	case queryResultQuery.MatchString(q):
		return queryResultQuery.FindStringSubmatch(q)[1], nil
	}
	return "", fmt.Errorf("variable query %q is neither label_values(...) nor query_result(...)", q)
}

var (
	// grafanaDuration matches Grafana's interval variables, which stand for a PromQL duration.
	grafanaDuration = regexp.MustCompile(`\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}`)
	// grafanaVariable matches $name and ${name} or ${name:format}.
	grafanaVariable = regexp.MustCompile(`\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)`)
)

// substituteVariables replaces Grafana's template variables with values PromQL accepts: a duration
// for the interval variables, a plain word for dashboard variables (they only appear in label values).
func substituteVariables(expr string) string {
	expr = grafanaDuration.ReplaceAllString(expr, "5m")
	return grafanaVariable.ReplaceAllString(expr, "placeholder")
}

// variableNames returns the dashboard variables an expression refers to, Grafana's own excluded.
func variableNames(expr string) []string {
	var names []string
	for _, m := range grafanaVariable.FindAllStringSubmatch(expr, -1) {
		name := m[1] + m[2]
		if !strings.HasPrefix(name, "__") {
			names = append(names, name)
		}
	}
	return names
}

func parse(expr string) (parser.Expr, error) {
	return parser.NewParser(parser.Options{}).ParseExpr(substituteVariables(expr))
}

func TestEveryExpressionParsesAsPromQL(t *testing.T) {
	for _, q := range queries(t) {
		if _, err := parse(q.expr); err != nil {
			t.Errorf("%s\n  does not parse: %v", q, err)
		}
	}
}

func TestEveryVariableAnExpressionUsesIsDefined(t *testing.T) {
	defined := map[string]map[string]bool{}
	for _, d := range All() {
		defined[d.File] = map[string]bool{}
		for _, v := range variablesOf(renderModel(t, d)) {
			defined[d.File][v["name"].(string)] = true
		}
	}
	for _, q := range queries(t) {
		for _, name := range variableNames(q.expr) {
			if !defined[q.file][name] {
				t.Errorf("%s\n  uses $%s, which the dashboard does not define", q, name)
			}
		}
	}
}

// prometheusSynthetic are the series Prometheus itself writes for every scrape target.
var prometheusSynthetic = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped",
	"scrape_samples_post_metric_relabeling", "scrape_series_added"}

func TestEveryMetricIsExposedByEtcdTheExporterOpsproxyOrTheDiskprobeAgent(t *testing.T) {
	etcd, err := readMetricList(etcdMetricsFile)
	if err != nil {
		t.Fatal(err)
	}
	exporter, err := readExporterMetrics(exporterMetricsDoc)
	if err != nil {
		t.Fatal(err)
	}
	ops, err := readOpsproxyMetrics(exporterMetricsDoc)
	if err != nil {
		t.Fatal(err)
	}
	agent, err := readDiskprobeMetrics(exporterMetricsDoc)
	if err != nil {
		t.Fatal(err)
	}
	etcdSeries, exporterSeries, opsproxySeries, agentSeries := seriesNames(etcd), seriesNames(exporter), seriesNames(ops), seriesNames(agent)
	records, rulesErr := readRecordingRules(rulesGlob)
	if rulesErr != nil && !errors.Is(rulesErr, errNoRuleFiles) {
		t.Fatal(rulesErr)
	}
	for _, q := range queries(t) {
		expr, err := parse(q.expr)
		if err != nil {
			continue // reported by TestEveryExpressionParsesAsPromQL
		}
		for _, name := range metricNames(expr) {
			switch {
			case strings.Contains(name, ":") && rulesErr != nil:
				t.Errorf("%s\n  uses recording rule %s, but %v", q, name, rulesErr)
			case strings.Contains(name, ":") && !records[name]:
				t.Errorf("%s\n  uses recording rule %s, which no rules/*.yml records", q, name)
			case strings.Contains(name, ":"):
			case !etcdSeries[name] && !exporterSeries[name] && !opsproxySeries[name] && !agentSeries[name] &&
				!slices.Contains(prometheusSynthetic, name):
				t.Errorf("%s\n  uses %s, which neither etcd (%s) nor the exporter, opsproxy or the diskprobe agent (%s) exposes",
					q, name, etcdMetricsFile, exporterMetricsDoc)
			}
		}
	}
}

// metricNames returns the metric names an expression selects, from the selector's name or its
// __name__ equality matcher. A selector without either is reported as "" so that it fails.
func metricNames(expr parser.Expr) []string {
	var names []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		for _, m := range vs.LabelMatchers {
			if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
				name = m.Value
			}
		}
		names = append(names, name)
		return nil
	})
	return names
}
