package core

import (
	"net/http"
	"strconv"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsNamespace prefixes opsproxy's own metrics (docs/metrics.md lists them).
const metricsNamespace = "etcd_monitor_opsproxy"

// Metrics are opsproxy's own metrics, served on GET /metrics without a token, as
// Prometheus scrapes it. Labels carry operation names and status codes only, never a user, a
// key or a token.
type Metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	auditCommit prometheus.Histogram
	// AuditWait is the time a mutation waited for its attempt record, by operation.
	AuditWait         *prometheus.HistogramVec
	auditBatch        prometheus.Histogram
	auditNotCommitted prometheus.Counter
	authFailures      *prometheus.CounterVec
	// authFailureTopSource is set by AuthFailures at the end of each interval.
	authFailureTopSource prometheus.Gauge
	// WatchesOpen counts the watch streams being served.
	WatchesOpen prometheus.Gauge
	rateLimited *prometheus.CounterVec
	// TokenStaleUses counts requests accepted on a cached token past its TTL (store down).
	TokenStaleUses prometheus.Counter
}

// unmatchedOperation labels requests to paths or methods no route serves.
const unmatchedOperation = "unmatched"

// ReloadStatus is the outcome of the last configuration reload; start counts as a successful
// one.
type ReloadStatus struct {
	OK          bool
	LastSuccess time.Time
}

// NewMetrics makes the metrics; reload reports the outcome of the last configuration reload.
func NewMetrics(reload func() ReloadStatus) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "http_requests_total",
			Help: "HTTP requests answered, by operation (as in the audit log and the OpenAPI file) and status code.",
		}, []string{"operation", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "http_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its answer, by operation; a watch lasts as long as its stream.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation"}),
		auditCommit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "audit_commit_duration_seconds",
			Help:    "Time to commit one batch of audit records to the history store; a mutation waits for the batch holding its attempt.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}),
		AuditWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "audit_wait_seconds",
			Help:    "Time a mutating request waited for its attempt to be committed to the audit log before it was sent to etcd, by operation: the latency the audit adds to a write.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"operation"}),
		auditBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "audit_batch_records",
			Help:    "Audit records committed together in one batch.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
		}),
		auditNotCommitted: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "audit_records_not_committed_total",
			Help: "Audit records that could not be committed; a mutation whose attempt is among them was refused with 503.",
		}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "auth_failures_total",
			Help: "Requests refused because their token was missing, malformed, unknown, revoked or expired, by reason; the audit log has the source of each (operation auth.failed).",
		}, []string{"reason"}),
		authFailureTopSource: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "auth_failures_top_source_rate",
			Help: "Failed authentications per second from the one source address with the most of them, over the last complete auth.failure_audit_interval; the audit log names the source (operation auth.failed).",
		}),
		WatchesOpen: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "watches_open",
			Help: "Watch streams being served.",
		}),
	}
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: metricsNamespace, Name: "rate_limited_total",
		Help: "Requests refused with 429 by a rate limit (limits.rate), by operation; only the first refusal per token or user and second is audited.",
	}, []string{"operation"})
	m.TokenStaleUses = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: metricsNamespace, Name: "token_cache_stale_uses_total",
		Help: "Requests authenticated from a cached token past auth.token_cache_ttl because the history store did not answer (up to auth.token_cache_max_stale).",
	})
	reloadOK := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: metricsNamespace, Name: "config_last_reload_successful",
		Help: "Whether the last configuration reload attempt was successful.",
	}, func() float64 {
		if reload().OK {
			return 1
		}
		return 0
	})
	reloadTime := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: metricsNamespace, Name: "config_last_reload_success_timestamp_seconds",
		Help: "Timestamp of the last successful configuration reload.",
	}, func() float64 { return float64(reload().LastSuccess.UnixNano()) / 1e9 })
	for _, reason := range AuthFailureReasons {
		m.authFailures.WithLabelValues(reason)
	}
	m.registry.MustRegister(m.requests, m.duration, m.auditCommit, m.AuditWait, m.auditBatch, m.auditNotCommitted, m.authFailures, m.authFailureTopSource, m.WatchesOpen,
		m.rateLimited, m.TokenStaleUses,
		reloadOK, reloadTime, versioncollector.NewCollector(metricsNamespace),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// RegisterOutage adds the gauges of a store outage: whether the store answers (up) and what
// waits in the audit spool (spool) out of spoolMax bytes. Call it once, before serving.
func (m *Metrics) RegisterOutage(up func() bool, spool func() (bytes int64, records int), spoolMax int64) {
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "store_up",
			Help: "Whether the history store answered the last call (1) or not (0); while it is 0, reads go on with cached tokens and a spooled audit, writes are refused.",
		}, func() float64 {
			if up() {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "audit_spool_bytes",
			Help: "Bytes of audit records kept in the local spool until the history store takes them (bounded by audit.spool_max_bytes).",
		}, func() float64 { b, _ := spool(); return float64(b) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "audit_spool_records",
			Help: "Audit records kept in the local spool until the history store takes them.",
		}, func() float64 { _, n := spool(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Name: "audit_spool_max_bytes",
			Help: "The bound of the audit spool (audit.spool_max_bytes): when the spool reaches it, reads are refused too.",
		}, func() float64 { return float64(spoolMax) }),
	)
}

// Register adds a collector of another concern (the job queue's). Call it before serving.
func (m *Metrics) Register(c prometheus.Collector) { m.registry.MustRegister(c) }

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// ObserveCommit records one audit batch commit (store.AuditWriterOptions.OnCommit).
func (m *Metrics) ObserveCommit(records int, took time.Duration, err error) {
	m.auditCommit.Observe(took.Seconds())
	if err == nil {
		m.auditBatch.Observe(float64(records))
	}
}

// instrument counts and times every request by the operation that served it.
func (m *Metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		op := apihttp.Operation(r.Context())
		if op == "" {
			op = unmatchedOperation
		}
		m.requests.WithLabelValues(op, strconv.Itoa(sw.code())).Inc()
		m.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	})
}

// statusWriter remembers the status code of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps watch streams flushing through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		if w.status == 0 {
			w.status = http.StatusOK
		}
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status answered; 200 when the handler wrote nothing.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// AuditHooks are the auditor's hooks that feed these metrics.
func (m *Metrics) AuditHooks() auditlog.Hooks {
	return auditlog.Hooks{OnCommit: m.ObserveCommit, OnNotCommitted: m.auditNotCommitted.Inc}
}
