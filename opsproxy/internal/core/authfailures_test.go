package core

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// Beyond MaxSources sources in one interval, failures are summed under OtherSources, so that
// a flood from many addresses still writes a bounded number of records.
func TestAuthFailuresBeyondMaxSourcesAreSummedAsOtherSources(t *testing.T) {
	st, err := bolt.Open(filepath.Join(t.TempDir(), "history.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	audit := auditlog.New(st, config.AuditConfig{MaxBatch: 100, CommitTimeout: model.Duration(5 * time.Second)}, nil, auditlog.Hooks{}, auditlog.Outage{})
	m := NewMetrics(func() ReloadStatus { return ReloadStatus{OK: true} })
	f := NewAuthFailures(audit, slog.New(slog.DiscardHandler), m)
	f.MaxSources = 3
	ctx := context.Background()
	for i := range 10 {
		for range 3 {
			f.Record(ctx, store.AuditRecord{Source: fmt.Sprintf("198.51.100.%d", i), Operation: AuthFailedOperation,
				Outcome: store.OutcomeDenied, Error: "unknown: unknown token"}, ReasonUnknown)
		}
	}
	f.Flush(ctx)
	if err := audit.Close(); err != nil {
		t.Fatal(err)
	}
	page, err := st.QueryAudit(ctx, store.AuditFilter{Operation: AuthFailedOperation, Limit: store.MaxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	// At once: the first of each of 3 sources and the first beyond them; then a summary of
	// each of the 3 (2 more each) and of the other sources (7×3 − 1).
	var got []string
	for _, r := range page.Records {
		got = append(got, r.Source+" "+strings.SplitN(r.Error, " from", 2)[0])
	}
	want := []string{
		"198.51.100.0 unknown: unknown token", "198.51.100.1 unknown: unknown token", "198.51.100.2 unknown: unknown token",
		"198.51.100.3 unknown: unknown token",
		"198.51.100.0 unknown: 2 more failed authentications", "198.51.100.1 unknown: 2 more failed authentications",
		"198.51.100.2 unknown: 2 more failed authentications", OtherSources + " unknown: 20 more failed authentications",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The alert on repeated failures from one source follows the busiest source, all reasons of it
// together, and never the sum of the sources beyond MaxSources.
func TestTopSourceRateIsTheBusiestSingleSource(t *testing.T) {
	counts := map[failureKey]*failureCount{
		{"198.51.100.1", ReasonUnknown}: {more: 59},  // 60 failures
		{"198.51.100.1", ReasonExpired}: {more: 29},  // 30 more from the same source
		{"198.51.100.2", ReasonUnknown}: {more: 119}, // 120
		{OtherSources, ReasonUnknown}:   {more: 999}, // many sources together
	}
	if got := topSourceRate(counts, time.Minute); got != 2 {
		t.Fatalf("top source rate = %v/s, want 2 (120 failures in a minute)", got)
	}
	counts[failureKey{"198.51.100.1", ReasonMissing}] = &failureCount{more: 59}
	if got := topSourceRate(counts, time.Minute); got != 2.5 {
		t.Fatalf("top source rate = %v/s, want 2.5 (150 failures of three reasons in a minute)", got)
	}
	if got := topSourceRate(map[failureKey]*failureCount{}, time.Minute); got != 0 {
		t.Fatalf("no failures: %v", got)
	}
}
