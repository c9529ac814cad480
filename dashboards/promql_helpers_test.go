package dashboards

import (
	"errors"
	"slices"
	"testing"
)

func TestSubstituteVariablesMakesGrafanaQueriesParseable(t *testing.T) {
	for _, expr := range []string{
		`rate(x_total{cluster="$cluster", instance=~"${instance}"}[$__rate_interval])`,
		`increase(x_total{job=~"${job:regex}"}[$__range])`,
		`sum_over_time(x[${__interval}])`,
	} {
		if _, err := parse(expr); err != nil {
			t.Errorf("%s: %v", expr, err)
		}
	}
}

func TestVariableNamesSkipsGrafanaBuiltins(t *testing.T) {
	got := variableNames(`rate(x{a="$cluster", b=~"${member:pipe}"}[$__rate_interval])`)
	if want := []string{"cluster", "member"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestVariableQueryExprExtractsThePromQL(t *testing.T) {
	for q, want := range map[string]string{
		`label_values(etcd_server_id{cluster="$cluster"}, instance)`: `etcd_server_id{cluster="$cluster"}`,
		`label_values(job)`:                "",
		`query_result(max by (a) (up))`:    `max by (a) (up)`,
		`  label_values(up, instance)    `: `up`,
	} {
		got, err := variableQueryExpr(q)
		if err != nil || got != want {
			t.Errorf("variableQueryExpr(%q) = %q, %v; want %q", q, got, err, want)
		}
	}
	if _, err := variableQueryExpr(`metrics(etcd_.*)`); err == nil {
		t.Error("an unsupported variable query was accepted")
	}
}

func TestMetricNamesFindsSelectorsAndNameMatchers(t *testing.T) {
	expr, err := parse(`a{x="1"} / on (x) {__name__="b"} + sum(rate(c_bucket[5m])) or vector(0)`)
	if err != nil {
		t.Fatal(err)
	}
	got := metricNames(expr)
	slices.Sort(got)
	if want := []string{"a", "b", "c_bucket"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestRecordingRulesAreReadFromRuleFiles(t *testing.T) {
	records, err := readRecordingRules("testdata/rules/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !records["instance:x:ratio"] || records["XAlert"] || len(records) != 1 {
		t.Fatalf("records = %v; want only instance:x:ratio", records)
	}
}

func TestMissingRuleFilesAreReportedAsSuch(t *testing.T) {
	if _, err := readRecordingRules("testdata/no-such-dir/*.yml"); !errors.Is(err, errNoRuleFiles) {
		t.Fatalf("err = %v; want errNoRuleFiles", err)
	}
}

func TestExporterMetricsAreReadFromTheContractTable(t *testing.T) {
	got, err := readExporterMetrics(exporterMetricsDoc)
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]string{
		"etcd_monitor_scrape_collector_success": "gauge",
		"etcd_monitor_member_up":                "gauge",
		"probe_success":                         "gauge",
	} {
		if got[name] != typ {
			t.Errorf("%s: type %q, want %q", name, got[name], typ)
		}
	}
	if _, ok := got["name"]; ok {
		t.Error("the table header was read as a metric")
	}
}

func TestOpsproxyMetricsAreReadFromTheirTable(t *testing.T) {
	got, err := readOpsproxyMetrics(exporterMetricsDoc)
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]string{
		"etcd_monitor_opsproxy_http_requests_total":           "counter",
		"etcd_monitor_opsproxy_audit_commit_duration_seconds": "histogram",
	} {
		if got[name] != typ {
			t.Errorf("%s: type %q, want %q", name, got[name], typ)
		}
	}
	if _, ok := got["etcd_monitor_member_up"]; ok {
		t.Error("the exporter's table was read as opsproxy's")
	}
}

func TestSeriesNamesExpandHistogramsAndSummaries(t *testing.T) {
	got := seriesNames(map[string]string{"h": "histogram", "s": "summary", "c_total": "counter"})
	for _, name := range []string{"h_bucket", "h_sum", "h_count", "s", "s_sum", "s_count", "c_total"} {
		if !got[name] {
			t.Errorf("%s missing from %v", name, got)
		}
	}
	if got["h"] {
		t.Error("a histogram's bare name is not a series")
	}
}

func TestDiskprobeMetricsAreReadFromTheirTable(t *testing.T) {
	got, err := readDiskprobeMetrics(exporterMetricsDoc)
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]string{
		"etcd_monitor_diskprobe_sync_duration_seconds": "histogram",
		"etcd_monitor_diskprobe_last_p99_seconds":      "gauge",
		"etcd_monitor_diskprobe_runs_total":            "counter",
	} {
		if got[name] != typ {
			t.Errorf("%s: type %q, want %q", name, got[name], typ)
		}
	}
	if _, ok := got["etcd_monitor_opsproxy_http_requests_total"]; ok {
		t.Error("opsproxy's table was read as the agent's")
	}
}
