package htmlreport

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/regress"
)

// Run is one benchmark run to show, named as the reader knows it (its file name, a run ID).
type Run struct {
	Name   string
	Report *benchrunner.Report
}

//go:embed page.html.tmpl
var pageTemplate string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"percent": func(x float64) float64 { return 100 * x },
}).Parse(pageTemplate))

// percentileKeys are the latency distribution's points, as etcd's report prints them.
var percentileKeys = []string{"10", "25", "50", "75", "90", "95", "99", "99.9"}

// Write renders runs as one HTML page to w; the later runs are compared with the first
// (regress.Compare with o). The page is rendered whole before the first byte is written.
func Write(w io.Writer, runs []Run, o regress.Options) error {
	if len(runs) == 0 {
		return errors.New("no runs to report")
	}
	for i, r := range runs {
		if r.Report == nil {
			return fmt.Errorf("run %d (%s): no report", i+1, r.Name)
		}
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, newPageModel(runs, o)); err != nil {
		return fmt.Errorf("rendering the report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type pageModel struct {
	Title       string
	Runs        []runModel
	Latency     chart
	Throughput  chart
	P99         chart
	Comparisons []comparisonModel
}

type runModel struct {
	Name    string
	Color   string
	Summary []field
	// Parameters are the run's flags, sorted by name.
	Parameters []field
	Errors     []field
	Partial    string
}

type field struct{ Name, Value string }

type comparisonModel struct {
	Run     string
	Against string
	Results []regress.Result
}

func newPageModel(runs []Run, o regress.Options) pageModel {
	m := pageModel{Title: title(runs)}
	var latency, throughput, p99 []line
	for i, r := range runs {
		m.Runs = append(m.Runs, newRunModel(i, r))
		lat := line{name: r.Name}
		for j, k := range percentileKeys {
			if v, ok := r.Report.Latency.Percentiles[k]; ok {
				lat.xs, lat.ys = append(lat.xs, float64(j)), append(lat.ys, v*1000)
			}
		}
		latency = append(latency, lat)
		tp, pp := line{name: r.Name}, line{name: r.Name}
		for _, s := range r.Report.Samples {
			tp.xs, tp.ys = append(tp.xs, float64(s.Second)), append(tp.ys, s.Throughput)
			if s.Requests > 0 {
				pp.xs, pp.ys = append(pp.xs, float64(s.Second)), append(pp.ys, s.P99*1000)
			}
		}
		throughput, p99 = append(throughput, tp), append(p99, pp)
		if i > 0 {
			m.Comparisons = append(m.Comparisons, comparisonModel{Run: r.Name, Against: runs[0].Name,
				Results: regress.Compare(runs[0].Report.Samples, r.Report.Samples, o)})
		}
	}
	labels := make([]string, len(percentileKeys))
	for i, k := range percentileKeys {
		labels[i] = k + " %"
	}
	m.Latency = newChart("Latency distribution", "ms, log scale", latency, labels, true)
	m.Throughput = newChart("Throughput per second", "req/s", throughput, nil, false)
	m.P99 = newChart("p99 latency per second", "ms", p99, nil, false)
	return m
}

func title(runs []Run) string {
	if len(runs) == 1 {
		return "etcd benchmark: " + runs[0].Name
	}
	return fmt.Sprintf("etcd benchmark: %s and %d more", runs[0].Name, len(runs)-1)
}

func newRunModel(i int, r Run) runModel {
	rep := r.Report
	rm := runModel{Name: r.Name, Color: runColor(i)}
	var errs int64
	for text, n := range rep.Errors {
		errs += n
		rm.Errors = append(rm.Errors, field{text, fmt.Sprint(n)})
	}
	sort.Slice(rm.Errors, func(a, b int) bool { return rm.Errors[a].Name < rm.Errors[b].Name })
	add := func(name, value string) { rm.Summary = append(rm.Summary, field{name, value}) }
	add("Command", rep.Command)
	add("Started", rep.StartedAt.UTC().Format(time.RFC3339))
	add("Elapsed", rep.Elapsed.Round(time.Millisecond).String())
	add("Requests", fmt.Sprintf("%d (%d failed)", rep.Requests, errs))
	add("Throughput", fmt.Sprintf("%.1f req/s", rep.Throughput))
	l := rep.Latency
	add("Latency", fmt.Sprintf("average %s, fastest %s, slowest %s, stddev %s",
		formatMillis(l.Average), formatMillis(l.Fastest), formatMillis(l.Slowest), formatMillis(l.Stddev)))
	pcts := make([]string, 0, len(percentileKeys))
	for _, k := range percentileKeys {
		if v, ok := l.Percentiles[k]; ok {
			pcts = append(pcts, fmt.Sprintf("p%s %s", k, formatMillis(v)))
		}
	}
	add("Percentiles", strings.Join(pcts, ", "))
	if v, ok := rep.Service.Percentiles["99"]; ok && rep.Parameters["rate"] != "" && rep.Parameters["rate"] != "0" {
		add("Service time", fmt.Sprintf("p50 %s, p99 %s (from when each request was sent)", formatMillis(rep.Service.Percentiles["50"]), formatMillis(v)))
	}
	add("Cluster", fmt.Sprintf("etcd %s, %d members, %d bytes", orUnknown(rep.Cluster.Version), rep.Cluster.Members, rep.Cluster.DBSize))
	add("Runner", fmt.Sprintf("%s, %d CPUs, %.0f %% CPU, peak RSS %d MiB", orUnknown(rep.Runner.Host), rep.Runner.CPUs, rep.Runner.CPUPercent, rep.Runner.PeakRSS>>20))
	for k, v := range rep.Parameters {
		rm.Parameters = append(rm.Parameters, field{k, v})
	}
	sort.Slice(rm.Parameters, func(a, b int) bool { return rm.Parameters[a].Name < rm.Parameters[b].Name })
	if rep.Partial {
		rm.Partial = rep.Reason
		if rm.Partial == "" {
			rm.Partial = "stopped early"
		}
	}
	return rm
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
