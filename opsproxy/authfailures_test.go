package opsproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// authFailures returns the auth.failed records of the log.
func (e *env) authFailures(t testing.TB) []store.AuditRecord {
	t.Helper()
	var out []store.AuditRecord
	for _, r := range e.allAudit(t) {
		if r.Operation == "auth.failed" {
			out = append(out, r)
		}
	}
	return out
}

// Each kind of failed authentication is recorded (source, reason, token id when known, the
// operation attempted), logged at warn level and counted by reason; never with the secret.
func TestFailedAuthenticationsAreAuditedLoggedAndCounted(t *testing.T) {
	e := newEnv(t, envOptions{extra: "auth:\n  trusted_proxies: [127.0.0.1/32]\n"})
	ctx := context.Background()
	expired := NewTokenSecret()
	past := time.Now().Add(-time.Hour)
	if err := e.store.CreateToken(ctx, store.Token{ID: "expired1", Name: "old", Role: "admin",
		SecretHash: store.HashSecret(expired), CreatedAt: past.Add(-time.Hour), ExpiresAt: past}); err != nil {
		t.Fatal(err)
	}
	revoked, tok, err := e.srv.CreateToken(ctx, TokenSpec{Name: "gone", Role: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeToken(ctx, tok.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	unknown := NewTokenSecret()
	cases := []struct {
		reason, header, tokenID string
	}{
		{"missing", "", ""},
		{"malformed", "Basic " + unknown, ""},
		{"unknown", "Bearer " + unknown, ""},
		{"revoked", "Bearer " + revoked, tok.ID},
		{"expired", "Bearer " + expired, "expired1"},
	}
	for i, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			source := fmt.Sprintf("198.51.100.%d", i+1)
			r := e.call(t, "GET", "/api/v1/clusters/c1/members", "", nil, "Authorization", c.header, "X-Forwarded-For", source)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", r.status)
			}
			recs := e.audit(t, r.header.Get(RequestIDHeader), 1)
			rec := recs[0]
			if rec.Operation != "auth.failed" || rec.Outcome != store.OutcomeDenied || rec.Source != source ||
				rec.TokenID != c.tokenID || rec.Cluster != "c1" ||
				!strings.HasPrefix(rec.Error, c.reason+": ") || !strings.HasSuffix(rec.Error, "attempted members.list") {
				t.Fatalf("record %+v", rec)
			}
			if !strings.Contains(e.log.String(), "source="+source+" reason="+c.reason) {
				t.Errorf("no warn log line for source %s reason %s:\n%s", source, c.reason, e.log.String())
			}
		})
	}
	_, mfs := scrape(t, e)
	for _, c := range cases {
		if got := value(mfs, "etcd_monitor_opsproxy_auth_failures_total", "reason", c.reason); got != 1 {
			t.Errorf("auth_failures_total{reason=%q} = %v, want 1", c.reason, got)
		}
	}
	e.close()
	raw, err := json.Marshal(e.allAudit(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{unknown, revoked, expired} {
		if strings.Contains(string(raw), s) || strings.Contains(e.log.String(), s) {
			t.Errorf("a presented secret is in the audit log or the log")
		}
	}
}

// The attack: 10,000 bad tokens from one source write two records (the first, and a summary
// with the count at shutdown) and two log lines, none with a secret.
func TestFloodOfBadTokensFromOneSourceWritesABoundedNumberOfRecords(t *testing.T) {
	e := newEnv(t, envOptions{extra: "auth:\n  failure_audit_interval: 24h\n"})
	const n = 10000
	secrets := make([]string, n)
	for i := range secrets {
		secrets[i] = NewTokenSecret()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				req, _ := http.NewRequest("GET", e.url+"/api/v1/clusters", nil)
				req.Header.Set("Authorization", "Bearer "+secrets[i])
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					errs <- fmt.Errorf("status %d, want 401", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_, mfs := scrape(t, e)
	if got := value(mfs, "etcd_monitor_opsproxy_auth_failures_total", "reason", "unknown"); got != n {
		t.Errorf("auth_failures_total{reason=unknown} = %v, want %d", got, n)
	}
	e.close()
	recs := e.authFailures(t)
	if len(recs) != 2 {
		t.Fatalf("%d auth.failed records, want 2 (the first and a summary)", len(recs))
	}
	if !strings.HasPrefix(recs[1].Error, fmt.Sprintf("unknown: %d more failed authentications", n-1)) || recs[1].Source != "127.0.0.1" {
		t.Fatalf("summary record %+v", recs[1])
	}
	logs := e.log.String()
	if got := strings.Count(logs, "authentication failed"); got != 2 {
		t.Errorf("%d log lines of failed authentications, want 2", got)
	}
	raw, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) || strings.Contains(string(raw), s) {
			t.Fatal("a presented secret is in the log or the audit log")
		}
	}
}

// The source of every audit record honours X-Forwarded-For only from trusted proxies.
func TestForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	cases := []struct {
		name, extra, xff, want string
	}{
		{"no trusted proxies: a forged header is ignored", "", "203.0.113.9", "127.0.0.1"},
		{"peer not among the trusted proxies: ignored", "auth:\n  trusted_proxies: [10.0.0.0/8]\n", "203.0.113.9", "127.0.0.1"},
		{"trusted peer: the right-most untrusted address", "auth:\n  trusted_proxies: [127.0.0.1/32, 10.0.0.0/8]\n", "6.6.6.6, 203.0.113.9, 10.0.0.5", "203.0.113.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envOptions{extra: c.extra})
			r := e.call(t, "GET", "/api/v1/clusters", e.admin, nil, "X-Forwarded-For", c.xff)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if rec := e.audit(t, r.header.Get(RequestIDHeader), 1)[0]; rec.Source != c.want {
				t.Fatalf("source %q, want %q", rec.Source, c.want)
			}
		})
	}
}

// auth.trusted_proxies applies on reload, without a restart.
func TestReloadAppliesTrustedProxies(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.rewrite(t, clusterEntry("c1", e.etcd), "auth:\n  trusted_proxies: [127.0.0.1/32]\n")
	if _, err := e.srv.Reload(); err != nil {
		t.Fatalf("reload: %v", err)
	}
	r := e.call(t, "GET", "/api/v1/clusters", e.admin, nil, "X-Forwarded-For", "203.0.113.9")
	if rec := e.audit(t, r.header.Get(RequestIDHeader), 1)[0]; rec.Source != "203.0.113.9" {
		t.Fatalf("source %q after the reload, want 203.0.113.9", rec.Source)
	}
}
