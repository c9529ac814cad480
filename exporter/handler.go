package exporter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

// Handler returns the exporter's HTTP routes: /metrics, /probe, /-/healthy, /-/ready,
// /-/reload and the landing page.
func (e *Exporter) Handler() (http.Handler, error) {
	mux := http.NewServeMux()
	runtime := prometheus.NewRegistry()
	runtime.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel, err := e.scrapeContext(r)
		if err != nil {
			httpError(w, http.StatusBadRequest, err.Error())
			return
		}
		defer cancel()
		clusters := prometheus.NewRegistry()
		clusters.MustRegister(e.collector(ctx, e.snapshot()))
		promhttp.HandlerFor(prometheus.Gatherers{e.self, runtime, clusters}, promhttp.HandlerOpts{
			ErrorLog: slogErrorLog{e}, ErrorHandling: promhttp.ContinueOnError,
		}).ServeHTTP(w, r)
	})
	mux.HandleFunc("/probe", e.serveProbe)
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Healthy")
	})
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if !e.opts.EnableLifecycle {
			httpError(w, http.StatusForbidden, "lifecycle API is not enabled: start the exporter with --web.enable-lifecycle to reload over HTTP, or send SIGHUP")
			return
		}
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			w.Header().Set("Allow", "POST, PUT")
			httpError(w, http.StatusMethodNotAllowed, "reload requires POST or PUT")
			return
		}
		if err := e.Reload(); err != nil {
			httpError(w, http.StatusInternalServerError, "reload failed: "+err.Error())
			return
		}
		fmt.Fprintln(w, "Reloaded")
	})
	landing, err := web.NewLandingPage(web.LandingConfig{
		Name:        "etcd-monitor exporter",
		Description: "Outside view of etcd clusters: health, leader agreement, consistency, alarms, certificates",
		Version:     version.Info(),
		Form: web.LandingForm{
			Action: "/probe",
			Inputs: []web.LandingFormInput{{Label: "Cluster", Type: "text", Name: "target", Placeholder: "cluster name"},
				{Label: "Debug", Type: "checkbox", Name: "debug", Value: "true"}},
		},
		Links: []web.LandingLinks{
			{Address: "/metrics", Text: "Metrics", Description: "every configured cluster"},
			{Address: "/probe?target=" + e.firstClusterName(), Text: "Probe", Description: "one cluster, for Prometheus's multi-target pattern"},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("landing page: %w", err)
	}
	mux.Handle("/", landing)
	return mux, nil
}

func (e *Exporter) firstClusterName() string {
	if t := e.snapshot(); len(t) > 0 {
		return t[0].cfg.Name
	}
	return ""
}

// scrapeContext bounds a scrape by Prometheus's scrape timeout less the offset, or by the default.
func (e *Exporter) scrapeContext(r *http.Request) (context.Context, context.CancelFunc, error) {
	timeout := e.opts.DefaultTimeout
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs <= 0 {
			return nil, nil, fmt.Errorf("X-Prometheus-Scrape-Timeout-Seconds %q: not a positive number of seconds", v)
		}
		timeout = time.Duration(secs * float64(time.Second))
	}
	if timeout-e.opts.TimeoutOffset > 0 {
		timeout -= e.opts.TimeoutOffset
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	return ctx, cancel, nil
}

var (
	probeSuccessDesc  = prometheus.NewDesc("probe_success", "/probe only: 1 when the cluster was reachable.", nil, nil)
	probeDurationDesc = prometheus.NewDesc("probe_duration_seconds", "/probe only: how long the probe took.", nil, nil)
)

// serveProbe probes one configured cluster into a fresh registry, in the manner of
// blackbox_exporter; ?debug=true shows the probe's errors and the metrics as text.
func (e *Exporter) serveProbe(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("target")
	if name == "" {
		httpError(w, http.StatusBadRequest, "target parameter is missing: /probe?target=<cluster name>")
		return
	}
	if len(name) > maxTargetLength {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("target %q: longer than %d bytes", echoed(name), maxTargetLength))
		return
	}
	t, ok := e.lookup(name)
	if !ok {
		httpError(w, http.StatusBadRequest, fmt.Sprintf("unknown target %q: not a configured cluster", echoed(name)))
		return
	}
	ctx, cancel, err := e.scrapeContext(r)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	defer cancel()

	start := time.Now()
	c := e.collector(ctx, []*target{t})
	var mu sync.Mutex
	var failures, members []string
	c.onError = func(collector string, err error) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf("%s: %v", collector, err))
	}
	c.onMemberError = func(endpoint string, err error) {
		mu.Lock()
		defer mu.Unlock()
		members = append(members, fmt.Sprintf("%s: reason=%s: %v", endpoint, etcdconn.ReasonOf(err), err))
	}
	var metrics []prometheus.Metric
	ch := make(chan prometheus.Metric)
	done := make(chan bool)
	go func() {
		for m := range ch {
			metrics = append(metrics, m)
		}
		close(done)
	}()
	reachable := c.collectTarget(t, ch)
	close(ch)
	<-done
	metrics = append(metrics,
		gauge(probeSuccessDesc, boolFloat(reachable)),
		gauge(probeDurationDesc, time.Since(start).Seconds()))

	reg := prometheus.NewRegistry()
	reg.MustRegister(constCollector(metrics))
	if r.URL.Query().Get("debug") == "true" {
		e.writeProbeDebug(w, name, reachable, failures, members, reg)
		return
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slogErrorLog{e}}).ServeHTTP(w, r)
}

func (e *Exporter) writeProbeDebug(w http.ResponseWriter, name string, reachable bool, failures, members []string, reg *prometheus.Registry) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Probe of cluster %q: reachable=%t\n\n", name, reachable)
	if len(members) > 0 {
		sort.Strings(members)
		fmt.Fprintln(&b, "Members that did not answer:")
		for _, m := range members {
			fmt.Fprintln(&b, "  "+m)
		}
		fmt.Fprintln(&b)
	}
	sort.Strings(failures)
	if len(failures) == 0 {
		fmt.Fprintln(&b, "Every collector succeeded.")
	} else {
		fmt.Fprintln(&b, "Collector errors:")
		for _, f := range failures {
			fmt.Fprintln(&b, "  "+f)
		}
	}
	fmt.Fprintln(&b, "\nMetrics that would have been returned:")
	mfs, err := reg.Gather()
	if err != nil {
		fmt.Fprintf(&b, "gathering failed: %v\n", err)
	}
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		_ = enc.Encode(mf)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// constCollector serves metrics already collected.
type constCollector []prometheus.Metric

func (c constCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c {
		ch <- m.Desc()
	}
}

func (c constCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c {
		ch <- m
	}
}

// maxTargetLength bounds /probe's target parameter; cluster names are far shorter.
const maxTargetLength = 256

// echoedLength is how much of a target an error message repeats.
const echoedLength = 128

// echoed is the start of a target, for an error message: at most echoedLength bytes (whole UTF-8
// characters), then "…" when there is more.
func echoed(target string) string {
	if len(target) <= echoedLength {
		return target
	}
	cut := echoedLength
	for cut > 0 && !utf8.RuneStart(target[cut]) {
		cut--
	}
	return target[:cut] + "…"
}

// httpError answers with a JSON body carrying the message.
func httpError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// slogErrorLog adapts the exporter's logger to promhttp's error log.
type slogErrorLog struct{ e *Exporter }

func (l slogErrorLog) Println(v ...any) {
	l.e.logger.Error("metrics exposition", "err", strings.TrimSpace(fmt.Sprintln(v...)))
}
