package htmlreport

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/regress"
)

// syntheticReport is a 30-second put run at about throughput req/s with a wobble, so the
// per-second charts and the regression test have something to show.
func syntheticReport(throughput float64) *benchrunner.Report {
	r := &benchrunner.Report{
		Command:    "put",
		Parameters: map[string]string{"total": "30000", "clients": "8", "endpoints": "127.0.0.1:2379"},
		StartedAt:  time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC),
		Elapsed:    30 * time.Second, Requests: int64(30 * throughput), Throughput: throughput,
		Latency: benchrunner.Distribution{Count: int64(30 * throughput), Fastest: 0.0002, Slowest: 0.08, Average: 0.004, Stddev: 0.002,
			Percentiles: map[string]float64{"10": 0.001, "25": 0.002, "50": 0.003, "75": 0.005, "90": 0.007, "95": 0.009, "99": 0.015, "99.9": 0.05}},
		Runner:  benchrunner.Runner{Host: "runner-1", CPUs: 2, CPUPercent: 120},
		Cluster: benchrunner.ClusterInfo{Version: "3.7.3", Members: 3},
	}
	for s := 0; s < 30; s++ {
		tp := math.Round(throughput * (1 + 0.03*math.Sin(float64(s))))
		r.Samples = append(r.Samples, benchrunner.Sample{Second: s, Requests: int64(tp), Throughput: tp, P50: 0.003, P99: 0.015 * (1 + 0.05*math.Cos(float64(s)))})
	}
	return r
}

func render(t *testing.T, runs []Run) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, runs, regress.Options{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	return buf.String(), doc
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func count(doc *html.Node, tag string) int {
	n := 0
	walk(doc, func(x *html.Node) {
		if x.Type == html.ElementNode && x.Data == tag {
			n++
		}
	})
	return n
}

func TestReportIsOneSelfContainedPage(t *testing.T) {
	page, doc := render(t, []Run{{Name: "before", Report: syntheticReport(1000)}, {Name: "after", Report: syntheticReport(700)}})
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed", "image", "use":
			t.Errorf("the page has a <%s> element; it must load nothing", n.Data)
		}
		for _, a := range n.Attr {
			if a.Key == "src" || a.Key == "href" || strings.HasSuffix(a.Key, "href") {
				t.Errorf("<%s> has %s=%q: an external reference", n.Data, a.Key, a.Val)
			}
		}
	})
	for _, banned := range []string{"http://", "https://", "url(", "@import", "@font-face", "ZgotmplZ"} {
		if strings.Contains(page, banned) {
			t.Errorf("the page contains %q", banned)
		}
	}
	if got := count(doc, "svg"); got != 3 {
		t.Errorf("svg charts = %d, want 3 (latency distribution, throughput, p99)", got)
	}
	// Two runs overlaid in each chart.
	if got := count(doc, "polyline"); got != 6 {
		t.Errorf("polylines = %d, want 6 (2 runs × 3 charts)", got)
	}
	if count(doc, "style") != 1 {
		t.Error("the page should carry its styles inline, in one <style>")
	}
}

func TestReportShowsRegressionOfLaterRuns(t *testing.T) {
	page, _ := render(t, []Run{{Name: "before", Report: syntheticReport(1000)}, {Name: "after", Report: syntheticReport(700)}})
	for _, want := range []string{"after against before", `<td class="regressed">regressed</td>`, "-30.0 %", "before", "etcd 3.7.3, 3 members"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestReportOfOneRunHasNoComparison(t *testing.T) {
	page, doc := render(t, []Run{{Name: "only", Report: syntheticReport(500)}})
	if strings.Contains(page, "Regressions") {
		t.Error("one run has nothing to be compared with")
	}
	if got := count(doc, "polyline"); got != 3 {
		t.Errorf("polylines = %d, want 3", got)
	}
}

func TestReportEscapesWhatRunsSay(t *testing.T) {
	r := syntheticReport(100)
	r.Partial, r.Reason = true, `<script>alert("reason")</script>`
	r.Errors = map[string]int64{`<img src=x onerror=alert(1)>`: 3}
	r.Parameters["key"] = `"><script>alert(2)</script>`
	_, doc := render(t, []Run{{Name: `<script>alert("name")</script>`, Report: r}})
	if n := count(doc, "script") + count(doc, "img"); n != 0 {
		t.Errorf("%d injected elements made it into the page", n)
	}
}

func TestReportOfRunWithoutSamplesSaysNoData(t *testing.T) {
	r := syntheticReport(100)
	r.Samples = nil
	r.Latency.Percentiles = nil
	page, doc := render(t, []Run{{Name: "empty", Report: r}})
	if count(doc, "svg") != 0 || strings.Count(page, "No data.") != 3 {
		t.Error("charts without data should say so instead of drawing")
	}
}

func TestWriteRefusesNoRuns(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, nil, regress.Options{}); err == nil || buf.Len() != 0 {
		t.Errorf("no runs: err %v, %d bytes written; want an error and nothing written", err, buf.Len())
	}
	if err := Write(&buf, []Run{{Name: "x"}}, regress.Options{}); err == nil || !strings.Contains(err.Error(), "run 1 (x)") || buf.Len() != 0 {
		t.Errorf("a run without a report: err %v; want it named and nothing written", err)
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsWriteErrors(t *testing.T) {
	if err := Write(failingWriter{}, []Run{{Name: "a", Report: syntheticReport(10)}}, regress.Options{}); err == nil {
		t.Error("a failing writer must fail the write")
	}
}
