package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
)

// AuthFailedOperation names the audit records of failed authentications.
const AuthFailedOperation = "auth.failed"

// Reasons an authentication fails, as audit records and the auth_failures_total metric give
// them.
const (
	ReasonMissing   = "missing"   // no Authorization header
	ReasonMalformed = "malformed" // not "Bearer <token>"
	ReasonUnknown   = "unknown"   // no such token
	ReasonRevoked   = "revoked"
	ReasonExpired   = "expired"
)

// AuthFailureReasons lists every reason.
var AuthFailureReasons = []string{ReasonMissing, ReasonMalformed, ReasonUnknown, ReasonRevoked, ReasonExpired}

// OtherSources is the source of the summary of failures from sources beyond
// DefaultMaxFailureSources in one interval.
const OtherSources = "other-sources"

// DefaultMaxFailureSources bounds the (source, reason) pairs followed in one interval.
const DefaultMaxFailureSources = 10000

// AuthError is a refused authentication (401): why, and the id of the token presented when it
// is known (revoked and expired tokens). It never holds the secret.
type AuthError struct {
	err     *apihttp.Error
	Reason  string
	TokenID string
}

func (e *AuthError) Error() string { return e.err.Error() }
func (e *AuthError) Unwrap() error { return e.err }

func authErrorf(reason, tokenID, format string, args ...any) *AuthError {
	return &AuthError{err: apihttp.Errorf(http.StatusUnauthorized, format, args...), Reason: reason, TokenID: tokenID}
}

// AuthFailures records failed authentications in the audit log, coalesced so that a flood
// stays small: the first failure of a (source, reason) in an interval is recorded at once;
// the others are counted, and one summary record with their number is written when the
// interval ends (Flush) or at shutdown. Beyond MaxSources pairs in one interval, new sources
// are summed under OtherSources. Each record written is also logged at warn level; every
// failure counts in etcd_monitor_opsproxy_auth_failures_total{reason}.
type AuthFailures struct {
	audit   *auditlog.Auditor
	logger  *slog.Logger
	counter *prometheus.CounterVec
	// topSource is the failure rate of the source with the most failures in the last
	// complete interval, for the alert on repeated failures from one source (a label per
	// source would have no bound).
	topSource prometheus.Gauge
	// MaxSources bounds the pairs followed in one interval (DefaultMaxFailureSources).
	MaxSources int

	mu     sync.Mutex
	since  time.Time
	counts map[failureKey]*failureCount
}

type failureKey struct{ source, reason string }

// failureCount is what an interval holds of one (source, reason): the failures not recorded
// one by one, and the last of them.
type failureCount struct {
	more int64
	last store.AuditRecord
}

// NewAuthFailures records to audit, logs to logger and counts in m.
func NewAuthFailures(audit *auditlog.Auditor, logger *slog.Logger, m *Metrics) *AuthFailures {
	return &AuthFailures{audit: audit, logger: logger, counter: m.authFailures, topSource: m.authFailureTopSource, MaxSources: DefaultMaxFailureSources,
		since: time.Now(), counts: map[failureKey]*failureCount{}}
}

// Record takes one failure; rec is its audit record (operation, source, time, request id).
func (f *AuthFailures) Record(ctx context.Context, rec store.AuditRecord, reason string) {
	f.counter.WithLabelValues(reason).Inc()
	key := failureKey{rec.Source, reason}
	f.mu.Lock()
	c, seen := f.counts[key]
	if !seen && len(f.counts) >= f.MaxSources {
		key.source = OtherSources
		c, seen = f.counts[key]
	}
	if seen {
		c.more++
		c.last = rec
		f.mu.Unlock()
		return
	}
	f.counts[key] = &failureCount{last: rec}
	f.mu.Unlock()
	f.write(ctx, rec, reason, 1, false)
}

// Flush ends the interval: it writes a summary of every (source, reason) that failed more
// than once in it, and starts the next.
func (f *AuthFailures) Flush(ctx context.Context) {
	now := time.Now()
	f.mu.Lock()
	counts, since := f.counts, f.since
	f.counts, f.since = map[failureKey]*failureCount{}, now
	f.mu.Unlock()
	f.topSource.Set(topSourceRate(counts, now.Sub(since)))
	keys := make([]failureKey, 0, len(counts))
	for k, c := range counts {
		if c.more > 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b failureKey) int {
		return cmp.Or(cmp.Compare(a.source, b.source), cmp.Compare(a.reason, b.reason))
	})
	for _, k := range keys {
		c := counts[k]
		rec := c.last
		rec.Time, rec.Duration = now, 0
		rec.Source = k.source
		rec.RequestID, rec.ClientRequestID = apihttp.NewRequestID(), ""
		rec.Error = fmt.Sprintf("%s: %d more failed authentications from this source since %s, not recorded one by one; the last: %s",
			k.reason, c.more, since.UTC().Format(time.RFC3339), c.last.Error)
		f.write(ctx, rec, k.reason, c.more, true)
	}
}

// topSourceRate is the failures per second, over an interval of length d, of the one source
// with the most of them (all reasons together); the sum of sources beyond MaxSources counts as
// no source.
func topSourceRate(counts map[failureKey]*failureCount, d time.Duration) float64 {
	bySource := map[string]int64{}
	for k, c := range counts {
		if k.source != OtherSources {
			bySource[k.source] += 1 + c.more
		}
	}
	var top int64
	for _, n := range bySource {
		top = max(top, n)
	}
	if d <= 0 {
		return 0
	}
	return float64(top) / d.Seconds()
}

// Run ends an interval every interval() until ctx ends (Close flushes the last one).
func (f *AuthFailures) Run(ctx context.Context, interval func() time.Duration) {
	for {
		t := time.NewTimer(interval())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			f.Flush(ctx)
		}
	}
}

func (f *AuthFailures) write(ctx context.Context, rec store.AuditRecord, reason string, count int64, summary bool) {
	f.logger.Warn("authentication failed", "source", rec.Source, "reason", reason, "count", count, "summary", summary,
		"token_id", rec.TokenID, "cluster", rec.Cluster, "request_id", rec.RequestID, "err", rec.Error)
	// Not waited for: a flood of failures must not queue behind audit commits; Close commits
	// what is left.
	f.audit.AppendLater(ctx, rec)
}

// authFailed records a refused authentication of a request to the operation spec.
func (co *Core) authFailed(r *http.Request, spec OpSpec, start time.Time, err error) {
	var ae *AuthError
	if !errors.As(err, &ae) {
		return // not the client's failure (token store unavailable): logged as such
	}
	rec := store.AuditRecord{
		Time:            start,
		RequestID:       apihttp.RequestID(r.Context()),
		ClientRequestID: apihttp.ClientRequestID(r.Context()),
		TokenID:         ae.TokenID,
		Source:          co.sourceAddr(r),
		Operation:       AuthFailedOperation,
		Outcome:         store.OutcomeDenied,
		Error:           fmt.Sprintf("%s: %s; attempted %s", ae.Reason, ae.Error(), spec.Name),
		Duration:        time.Since(start),
	}
	if spec.Cluster {
		rec.Cluster = truncate(r.PathValue("cluster"), 256)
	}
	co.AuthFailures.Record(r.Context(), rec, ae.Reason)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
