package benchrunner

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	etcdreport "go.etcd.io/etcd/pkg/v3/report"
)

var (
	numbers = regexp.MustCompile(`[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?(µs|ms|s|ns)?`)
	bars    = regexp.MustCompile(`∎+`)
)

// normaliseReport keeps a report's layout and drops its figures (timing-dependent, and
// percentiles within the histogram's 0.1 %).
func normaliseReport(s string) string {
	return bars.ReplaceAllString(numbers.ReplaceAllString(s, "N"), "∎")
}

// etcdText runs etcd's own report over the results and returns its text.
func etcdText(t *testing.T, results []result, sample bool) string {
	t.Helper()
	var r etcdreport.Report
	if sample {
		r = etcdreport.NewReportSample("%4.4f", "", false) // 3.7 took 3.6's format and added a perf-dash option
	} else {
		r = etcdreport.NewReport("%4.4f", "", false)
	}
	out := r.Run()
	for _, res := range results {
		r.Results() <- etcdreport.Result{Start: res.Sent, End: res.End, Err: res.Err}
	}
	close(r.Results())
	return <-out
}

func fixtureResults() []result {
	start := time.Unix(1_700_000_000, 0)
	var rs []result
	for i := 0; i < 500; i++ {
		sent := start.Add(time.Duration(i) * 5 * time.Millisecond)
		end := sent.Add(time.Duration(1+i%97) * 300 * time.Microsecond)
		var err error
		if i%100 == 7 {
			err = errors.New("etcdserver: request timed out")
		}
		rs = append(rs, result{Intended: sent, Sent: sent, End: end, Err: err})
	}
	return rs
}

func ourText(t *testing.T, command string, results []result, params map[string]string) (string, *Report) {
	t.Helper()
	rec := newRecorder(results[0].Sent)
	for _, r := range results {
		rec.record(r)
	}
	f := rec.finish(results[len(results)-1].End)
	rep := &Report{Command: command, Parameters: params}
	rep.applyFigures(runFigures{main: f})
	var b strings.Builder
	if err := WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	return b.String(), rep
}

func TestTextReportHasEtcdLayout(t *testing.T) {
	results := fixtureResults()
	want := etcdText(t, results, false)
	got, _ := ourText(t, "lease-keepalive", results, map[string]string{})
	if normaliseReport(got) != normaliseReport(want) {
		t.Errorf("layout differs from etcd's report.\n--- ours\n%s\n--- etcd's\n%s", got, want)
	}
	for _, line := range []string{"\nSummary:\n", "\nResponse time histogram:\n", "  99% in ", "\nError distribution:\n", "  [5]\tetcdserver: request timed out\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("report lacks %q:\n%s", line, got)
		}
	}
}

func TestTextReportSampleCSVHasEtcdLayout(t *testing.T) {
	results := fixtureResults()
	want := etcdText(t, results, true)
	got, _ := ourText(t, "lease-keepalive", results, map[string]string{"sample": "true"})
	// Both bucket by one-second windows (etcd by send, ours by completion): compare the
	// block's header and the number of rows.
	headerAt := func(s string) string {
		i := strings.Index(s, "\nSample in one second")
		if i < 0 {
			t.Fatalf("no sample block in:\n%s", s)
		}
		return s[i:]
	}
	w, g := strings.Split(headerAt(want), "\n"), strings.Split(headerAt(got), "\n")
	if w[1] != g[1] || w[2] != g[2] {
		t.Errorf("sample header %q %q, want %q %q", g[1], g[2], w[1], w[2])
	}
	if normaliseReport(strings.Join(g[:6], "\n")) != normaliseReport(strings.Join(w[:6], "\n")) {
		t.Errorf("sample rows differ in layout:\n--- ours\n%s\n--- etcd's\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
}

func TestTextReportPreciseUsesFullPrecision(t *testing.T) {
	got, _ := ourText(t, "put", fixtureResults(), map[string]string{"precise": "true"})
	if !strings.Contains(got, "Average:\t0.0144333333") {
		t.Errorf("--precise should print %%g figures:\n%s", got)
	}
}

// With a rate, the service-time block follows etcd's report.
func TestTextReportAddsServiceTimeWithRate(t *testing.T) {
	results := fixtureResults()
	for i := range results {
		results[i].Intended = results[i].Sent.Add(-2 * time.Millisecond)
	}
	got, _ := ourText(t, "put", results, map[string]string{"rate": "200"})
	i := strings.Index(got, "\nService time (from when each request was sent")
	if i < 0 || i < strings.Index(got, "\nError distribution:") {
		t.Fatalf("no service-time block after etcd's report:\n%s", got)
	}
	if !strings.Contains(got[i:], "\nService time distribution:\n  10% in ") {
		t.Errorf("service-time block lacks its distribution:\n%s", got[i:])
	}
}

func TestTextReportMarksPartialRun(t *testing.T) {
	_, rep := ourText(t, "put", fixtureResults(), map[string]string{})
	rep.Partial, rep.Reason = true, "interrupted: context canceled"
	var b strings.Builder
	if err := WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "\nPartial run (500 requests done): interrupted: context canceled\n") {
		t.Errorf("partial run not marked:\n%s", b.String())
	}
}
