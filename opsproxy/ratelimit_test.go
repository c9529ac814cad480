package opsproxy

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A flood beyond a token's rate limit is answered 429 with Retry-After and a JSON error; the
// refusals are counted in etcd_monitor_opsproxy_rate_limited_total and audited at most once
// per token and second, so the flood cannot become a flood of audit records. Other tokens are
// not slowed, and a reload that turns the limit off lets the token through again.
func TestRateLimitPerTokenRefusesAFloodWith429(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind, extra: "limits:\n  rate:\n    per_token: 0.001\n    per_token_burst: 3\n"})
			flooder := e.token(t, TokenSpec{Name: "flooder", Role: "viewer"})
			path := "/api/v1/clusters/c1/keys?key=" + url.QueryEscape(uniquePrefix(t)+"k")
			const requests = 40
			start := time.Now().Unix()
			var ok, limited int
			for range requests {
				r := e.call(t, "GET", path, flooder, nil)
				switch r.status {
				case http.StatusOK:
					ok++
				case http.StatusTooManyRequests:
					limited++
					if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 1 {
						t.Fatalf("429 with Retry-After %q, want whole seconds", r.header.Get("Retry-After"))
					}
					if msg := r.errorText(t); !strings.Contains(msg, "rate limit of token") {
						t.Fatalf("429 saying %q", msg)
					}
				default:
					t.Fatalf("GET: %d %s", r.status, r.body)
				}
			}
			seconds := time.Now().Unix() - start + 1
			if ok != 3 || limited != requests-3 {
				t.Fatalf("%d answered and %d refused, want 3 and %d", ok, limited, requests-3)
			}
			if r := e.call(t, "GET", path, e.admin, nil); r.status != http.StatusOK {
				t.Fatalf("another token was slowed: %d %s", r.status, r.body)
			}
			_, mfs := scrape(t, e)
			if got := value(mfs, "etcd_monitor_opsproxy_rate_limited_total", "operation", "keys.get"); got != float64(limited) {
				t.Fatalf("rate_limited_total{operation=keys.get} = %v, want %d", got, limited)
			}
			var audited int
			for _, rec := range e.allAudit(t) {
				if strings.Contains(rec.Error, "rate limit") {
					audited++
				}
			}
			if audited < 1 || int64(audited) > seconds {
				t.Fatalf("%d refusals audited over %d seconds, want 1 to %d", audited, seconds, seconds)
			}

			e.rewrite(t, entry("c1", e.etcd, "5s"), "limits:\n  rate:\n    per_token: 0\n")
			if r, _ := e.reload(t); r.status != 200 {
				t.Fatalf("reload: %d %s", r.status, r.body)
			}
			if r := e.call(t, "GET", path, flooder, nil); r.status != http.StatusOK {
				t.Fatalf("after the limit was turned off: %d %s", r.status, r.body)
			}
		})
	}
}

// The end users a service token acts for each have a limit of their own (per_user): one user's
// flood is refused without slowing the others.
func TestRateLimitPerUserRefusesOneGrafanaUserOnly(t *testing.T) {
	e := newEnv(t, envOptions{extra: "limits:\n  rate:\n    per_user: 0.001\n    per_user_burst: 2\n"})
	service := e.token(t, TokenSpec{Name: "grafana", Role: "viewer", ActsForUsers: true})
	path := "/api/v1/clusters/c1/keys?key=" + url.QueryEscape(uniquePrefix(t)+"k")
	as := func(user string) []string { return []string{DefaultUserHeader, user, DefaultRoleHeader, "Viewer"} }
	for i, want := range []int{200, 200, 429, 429} {
		if r := e.call(t, "GET", path, service, nil, as("alice")...); r.status != want {
			t.Fatalf("alice's request %d: %d %s, want %d", i, r.status, r.body, want)
		} else if want == 429 && !strings.Contains(r.errorText(t), "rate limit of user alice") {
			t.Fatalf("429 saying %s", r.body)
		}
	}
	if r := e.call(t, "GET", path, service, nil, as("bob")...); r.status != http.StatusOK {
		t.Fatalf("bob slowed by alice's flood: %d %s", r.status, r.body)
	}
}

// The defaults limit no token (the benchmarks run 50 clients on one admin token): a burst of
// requests without a Grafana user is never refused.
func TestRateLimitDefaultsLeaveATokenUnlimited(t *testing.T) {
	e := newEnv(t, envOptions{})
	path := "/api/v1/clusters/c1/keys?key=" + url.QueryEscape(uniquePrefix(t)+"k")
	for i := range 300 {
		if r := e.call(t, "GET", path, e.admin, nil); r.status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
}
