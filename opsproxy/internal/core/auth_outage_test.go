package core

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// authFixture is an authenticator over a bbolt store holding one token per name given, with a
// clock the test moves.
type authFixture struct {
	a     *Authenticator
	st    store.Store
	clock time.Time
}

func newAuthFixture(t *testing.T, ttl, maxStale time.Duration, tokens map[string]store.Token) *authFixture {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "history.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &authFixture{st: st, clock: time.Now()}
	for secret, tok := range tokens {
		tok.SecretHash = store.HashSecret(secret)
		if err := st.CreateToken(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.DefaultConfig().Auth
	cfg.TokenCacheTTL, cfg.TokenCacheMaxStale = model.Duration(ttl), model.Duration(maxStale)
	f.a = NewAuthenticator(st, cfg)
	f.a.now = func() time.Time { return f.clock }
	return f
}

func (f *authFixture) auth(secret string) (int, string) {
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Authorization", "Bearer "+secret)
	_, err := f.a.Authenticate(r)
	if err == nil {
		return 200, ""
	}
	return apihttp.StatusOf(err)
}

func TestCachedTokenServesThroughAnOutageWithinMaxStaleAndExpiryStillApplies(t *testing.T) {
	now := time.Now()
	f := newAuthFixture(t, time.Second, time.Hour, map[string]store.Token{
		"long":     {ID: "long", Name: "long", Role: "viewer", CreatedAt: now},
		"expiring": {ID: "expiring", Name: "expiring", Role: "viewer", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)},
	})
	for _, s := range []string{"long", "expiring"} {
		if code, msg := f.auth(s); code != 200 {
			t.Fatalf("%s before the outage: %d %s", s, code, msg)
		}
	}
	f.st.Close() // every store call fails from now on
	steps := []struct {
		name     string
		after    time.Duration
		secret   string
		wantCode int
		wantMsg  string
	}{
		{"stale token within max_stale", 5 * time.Minute, "long", 200, ""},
		{"stale token before its expiry", 5 * time.Minute, "expiring", 200, ""},
		{"stale token past its expiry", 20 * time.Minute, "expiring", 401, "token expiring has expired"},
		{"unknown token", 20 * time.Minute, "nope", 503, "token store unavailable"},
		{"stale token past max_stale", 61 * time.Minute, "long", 503, "token store unavailable"},
	}
	for _, s := range steps {
		f.clock = now.Add(s.after)
		if code, msg := f.auth(s.secret); code != s.wantCode || msg != s.wantMsg {
			t.Errorf("%s: %d %q, want %d %q", s.name, code, msg, s.wantCode, s.wantMsg)
		}
	}
}

func TestUnknownTokensDoNotEvictCachedOnes(t *testing.T) {
	now := time.Now()
	f := newAuthFixture(t, time.Second, time.Hour, map[string]store.Token{
		"good": {ID: "good", Name: "good", Role: "viewer", CreatedAt: now},
	})
	f.a.cache = newTokenCache(4)
	if code, msg := f.auth("good"); code != 200 {
		t.Fatalf("good token: %d %s", code, msg)
	}
	for i := range 100 {
		if code, _ := f.auth(fmt.Sprintf("bogus-%d", i)); code != 401 {
			t.Fatalf("bogus token %d: %d, want 401", i, code)
		}
	}
	f.st.Close()
	f.clock = now.Add(time.Minute)
	if code, msg := f.auth("good"); code != 200 {
		t.Fatalf("good token after a flood of unknown ones, store down: %d %s", code, msg)
	}
}

func TestTokenCacheDropsTheLeastRecentlyUsed(t *testing.T) {
	c := newTokenCache(2)
	h := func(s string) store.SecretHash { return store.HashSecret(s) }
	now := time.Now()
	c.put(h("a"), store.Token{ID: "a"}, now)
	c.put(h("b"), store.Token{ID: "b"}, now)
	c.get(h("a"))
	c.put(h("c"), store.Token{ID: "c"}, now)
	for s, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if _, ok := c.get(h(s)); ok != want {
			t.Errorf("%s cached = %v, want %v", s, ok, want)
		}
	}
}

func TestRefreshReadsCachedTokensAgainOnceTheStoreAnswers(t *testing.T) {
	now := time.Now()
	f := newAuthFixture(t, time.Hour, time.Hour, map[string]store.Token{
		"tok": {ID: "tok", Name: "tok", Role: "viewer", CreatedAt: now},
	})
	if code, _ := f.auth("tok"); code != 200 {
		t.Fatal("token not accepted")
	}
	if _, err := f.st.RevokeToken(context.Background(), "tok", now); err != nil {
		t.Fatal(err)
	}
	if code, _ := f.auth("tok"); code != 200 {
		t.Fatal("a revocation elsewhere applied before the cache TTL: the test cannot show the refresh")
	}
	if !f.a.refresh(context.Background(), time.Second) {
		t.Fatal("refresh: store did not answer")
	}
	if code, msg := f.auth("tok"); code != 401 || msg != "token tok was revoked" {
		t.Fatalf("after refresh: %d %s, want 401 revoked", code, msg)
	}
	f.st.Close()
	if f.a.refresh(context.Background(), time.Second) || f.a.health.Up() {
		t.Fatal("refresh against a closed store: want false and the store down")
	}
}
