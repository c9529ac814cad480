package opsproxy

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func TestMutationIsRefusedWhenItsAuditRecordCannotBeCommitted(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind, configure: func(c *Config) {
				// Keep the token cached, so that the request reaches the operation.
				c.Auth.TokenCacheTTL = model.Duration(time.Hour)
			}})
			prefix := uniquePrefix(t)
			if r := e.call(t, "GET", "/api/v1/clusters", e.admin, nil); r.status != 200 {
				t.Fatalf("warm-up: %d %s", r.status, r.body)
			}
			e.store.Close()
			cases := []struct {
				name   string
				method string
				path   string
				body   any
			}{
				{"put", "PUT", "/api/v1/clusters/c1/keys", map[string]any{"key": prefix + "k", "value": "v"}},
				{"delete", "DELETE", "/api/v1/clusters/c1/keys?key=" + url.QueryEscape(prefix+"k"), nil},
				{"cas", "POST", "/api/v1/clusters/c1/keys/cas", map[string]any{"key": prefix + "k", "value": "v", "mod_revision": 0}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					r := e.call(t, c.method, c.path, e.admin, c.body)
					if r.status != http.StatusServiceUnavailable {
						t.Fatalf("status %d, want 503: %s", r.status, r.body)
					}
					if got := r.errorText(t); got != "audit log unavailable: operation refused" {
						t.Fatalf("error %q", got)
					}
				})
			}
			cli := e.etcdClient(t)
			resp, err := cli.Get(context.Background(), prefix, clientOptsPrefix()...)
			if err != nil || resp.Count != 0 {
				t.Fatalf("refused writes reached etcd: %v, %v", resp, err)
			}
		})
	}
}

func TestMutationIsRecordedAsAttemptedThenWithItsOutcome(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			prefix := uniquePrefix(t)
			r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": prefix + "k", "value": "hello"}, RequestIDHeader, "put-1")
			if r.status != 200 {
				t.Fatalf("put: %d %s", r.status, r.body)
			}
			recs := e.audit(t, r.header.Get(RequestIDHeader), 2)
			wantSize, wantSHA := store.ValueDigest([]byte("hello"))
			for i, want := range []store.Outcome{store.OutcomeAttempted, store.OutcomeSucceeded} {
				rec := recs[i]
				if rec.Outcome != want || rec.Operation != "keys.put" || string(rec.Key) != prefix+"k" ||
					rec.ValueSize != wantSize || rec.ValueSHA256 != wantSHA || rec.Cluster != "c1" ||
					rec.User != "test-admin" || rec.Role != "admin" || rec.Source != "127.0.0.1" || rec.ClientRequestID != "put-1" {
					t.Fatalf("record %d = %+v", i, rec)
				}
			}
			v, err := e.store.VerifyAudit(context.Background())
			if err != nil || !v.OK() {
				t.Fatalf("verify: %+v, %v", v, err)
			}
		})
	}
}
