package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

// MaxRequestBytes bounds the body of POST /probe; a ProbeRequest is a few hundred bytes.
const MaxRequestBytes = 16 << 10

// routes builds the agent's HTTP API. /metrics is served when reg can also gather.
func (a *Agent) routes(reg prometheus.Registerer) http.Handler {
	mux := http.NewServeMux()
	if g, ok := reg.(prometheus.Gatherer); ok {
		mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorLog: slogPrinter{a}}))
		mux.HandleFunc("/metrics", methodNotAllowed("GET"))
	}
	mux.HandleFunc("POST /probe", a.serveProbe)
	mux.HandleFunc("/probe", methodNotAllowed("POST"))
	mux.HandleFunc("GET /probe/last", a.serveLast)
	mux.HandleFunc("/probe/last", methodNotAllowed("GET"))
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/-/healthy", methodNotAllowed("GET"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s: no such endpoint (the agent serves GET /metrics, POST /probe, GET /probe/last, GET /-/healthy)", r.URL.Path))
	})
	return mux
}

// serveProbe runs a probe on demand: the caller's request context is the probe's, so that the
// probe stops (and its directory is removed) when the caller goes away.
func (a *Agent) serveProbe(w http.ResponseWriter, r *http.Request) {
	ok, who, err := a.mayProbe(r)
	switch {
	case err != nil:
		a.logger.Error("cannot read the web config to check the caller", "err", err)
		writeError(w, http.StatusInternalServerError, "cannot check who may run probes: the agent's web config does not read")
		return
	case !ok:
		writeError(w, http.StatusForbidden, who+" may not run probes: only the agent's probe users may (--probe.user)")
		return
	}
	req, status, err := decodeProbeRequest(w, r)
	if err != nil {
		writeError(w, status, err.Error())
		return
	}
	opts, err := req.Options(a.cfg.Dir)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	opts.WALDir = a.cfg.WALDir
	if opts.Engine == diskprobe.EngineFio && opts.Job.Duration > 0 {
		writeError(w, http.StatusBadRequest, errTimeBasedFio.Error())
		return
	}
	if opts.FioPath == "fio" && a.cfg.FioPath != "" {
		opts.FioPath = a.cfg.FioPath
	}
	res, err := a.probe(r.Context(), triggerDemand, opts)
	var busy *busyError
	var over *budgetError
	switch {
	case errors.As(err, &busy):
		writeJSON(w, http.StatusConflict, map[string]any{"error": err.Error(), "running": map[string]any{
			"trigger": busy.running.trigger, "started_at": busy.running.startedAt.UTC(), "profile": busy.running.job.Profile}})
	case errors.As(err, &over) && over.FreesAt.IsZero():
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "size: " + err.Error(),
			"budget_bytes_per_hour": over.Max, "requested_bytes": over.Requested})
	case errors.As(err, &over):
		retry := max(1, int64(math.Ceil(over.FreesAt.Sub(a.now()).Seconds())))
		w.Header().Set("Retry-After", strconv.FormatInt(retry, 10))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": err.Error(),
			"budget_bytes_per_hour": over.Max, "used_bytes": over.Used, "requested_bytes": over.Requested,
			"frees_at": over.FreesAt.UTC()})
	case r.Context().Err() != nil:
		// The caller is gone: nobody reads an answer. The probe stopped and cleaned up.
	case err != nil:
		writeError(w, http.StatusServiceUnavailable, "the probe could not run: "+err.Error())
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// decodeProbeRequest reads the body strictly: unknown fields, wrong types and trailing data are
// 400 naming the field, a body over MaxRequestBytes is 413. An empty body is the default request.
func decodeProbeRequest(w http.ResponseWriter, r *http.Request) (diskprobe.ProbeRequest, int, error) {
	var req diskprobe.ProbeRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return req, http.StatusRequestEntityTooLarge, fmt.Errorf("body: larger than %d bytes", MaxRequestBytes)
	case err != nil:
		return req, http.StatusBadRequest, fmt.Errorf("body: %w", err)
	case len(body) == 0:
		return req, 0, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch err := dec.Decode(&req); {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return req, http.StatusBadRequest, errors.New("body: invalid JSON: it ends before the object does")
	case errors.As(err, &syn):
		return req, http.StatusBadRequest, fmt.Errorf("body: invalid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		return req, http.StatusBadRequest, fmt.Errorf("%s: want a %s, got a JSON %s", typ.Field, typ.Type, typ.Value)
	case err != nil:
		// Unknown fields: `json: unknown field "sise"`.
		return req, http.StatusBadRequest, fmt.Errorf("body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return req, http.StatusBadRequest, errors.New("body: unexpected data after the JSON object")
	}
	return req, 0, nil
}

// serveLast answers the last probe that reached a verdict, scheduled or on demand.
func (a *Agent) serveLast(w http.ResponseWriter, r *http.Request) {
	last := a.lastResult()
	if last == nil {
		writeError(w, http.StatusNotFound, "no probe has reached a verdict yet")
		return
	}
	writeJSON(w, http.StatusOK, last)
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: method not allowed (use %s)", r.Method, r.URL.Path, allow))
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// slogPrinter routes promhttp's errors to the agent's logger.
type slogPrinter struct{ a *Agent }

func (p slogPrinter) Println(v ...any) { p.a.logger.Error(fmt.Sprint(v...)) }
