package opsproxy

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// withClustersAB serves the test's etcd cluster also as "a" and "b", so that tokens can be
// limited to them.
func withClustersAB(cfg *Config) {
	for _, name := range []string{"a", "b"} {
		c := cfg.Clusters[0]
		c.Name = name
		cfg.Clusters = append(cfg.Clusters, c)
	}
}

// Every role × caller scope × token operation × target scope: below admin every token
// operation is refused; an admin lists, creates and revokes exactly the tokens whose clusters
// lie within its own; every refusal is a 403 audited as denied and changes nothing.
func TestTokenManagementIsLimitedToTheCallersScope(t *testing.T) {
	e := newEnv(t, envOptions{configure: withClustersAB})
	scopes := []struct {
		name     string
		clusters []string
	}{
		{"unlimited", nil},
		{"clusters a", []string{"a"}},
		{"clusters a,b", []string{"a", "b"}},
	}
	targets := append(slices.Clone(scopes), struct {
		name     string
		clusters []string
	}{"clusters b", []string{"b"}})
	within := func(caller, target []string) bool {
		if len(caller) == 0 {
			return true
		}
		return len(target) > 0 && !slices.ContainsFunc(target, func(c string) bool { return !slices.Contains(caller, c) })
	}
	for _, role := range []string{"viewer", "editor", "admin"} {
		for _, sc := range scopes {
			caller := e.token(t, TokenSpec{Name: role + "-" + sc.name, Role: role, Clusters: sc.clusters})
			for _, tg := range targets {
				allowed := role == "admin" && within(sc.clusters, tg.clusters)
				name := fmt.Sprintf("%s %s/%%s token of %s", role, sc.name, tg.name)

				t.Run(fmt.Sprintf(name, "list"), func(t *testing.T) {
					_, target, err := e.srv.CreateToken(context.Background(), TokenSpec{Name: "target", Role: "viewer", Clusters: tg.clusters})
					if err != nil {
						t.Fatal(err)
					}
					r := e.call(t, "GET", "/api/v1/tokens", caller, nil)
					if role != "admin" {
						expectDenied(t, e, r, "tokens.list", "needs admin")
						return
					}
					if r.status != http.StatusOK {
						t.Fatalf("list: %d %s", r.status, r.body)
					}
					var list struct{ Tokens []store.Token }
					r.json(t, &list)
					shown := slices.ContainsFunc(list.Tokens, func(x store.Token) bool { return x.ID == target.ID })
					if shown != allowed {
						t.Fatalf("token of %s shown: %t, want %t", tg.name, shown, allowed)
					}
					for _, x := range list.Tokens {
						if !within(sc.clusters, x.Clusters) {
							t.Errorf("list shows token %s of clusters %v, outside %v", x.ID, x.Clusters, sc.clusters)
						}
					}
				})

				t.Run(fmt.Sprintf(name, "create"), func(t *testing.T) {
					r := e.call(t, "POST", "/api/v1/tokens", caller, map[string]any{"name": "new", "role": "viewer", "clusters": tg.clusters})
					switch {
					case role != "admin":
						expectDenied(t, e, r, "tokens.create", "needs admin")
					case !allowed:
						expectDenied(t, e, r, "tokens.create", "the new token")
					case r.status != http.StatusCreated:
						t.Fatalf("create: %d %s", r.status, r.body)
					}
				})

				t.Run(fmt.Sprintf(name, "revoke"), func(t *testing.T) {
					_, target, err := e.srv.CreateToken(context.Background(), TokenSpec{Name: "target", Role: "admin", Clusters: tg.clusters})
					if err != nil {
						t.Fatal(err)
					}
					r := e.call(t, "DELETE", "/api/v1/tokens/"+target.ID, caller, nil)
					switch {
					case role != "admin":
						expectDenied(t, e, r, "tokens.revoke", "needs admin")
					case !allowed:
						expectDenied(t, e, r, "tokens.revoke", "token "+target.ID)
					case r.status != http.StatusOK:
						t.Fatalf("revoke: %d %s", r.status, r.body)
					}
					after, err := e.store.Token(context.Background(), target.ID)
					if err != nil {
						t.Fatal(err)
					}
					if revoked := !after.RevokedAt.IsZero(); revoked != allowed {
						t.Fatalf("target revoked: %t, want %t", revoked, allowed)
					}
				})
			}
		}
	}
}

// A token limited to key prefixes manages only tokens limited to prefixes under its own.
func TestTokenManagementIsLimitedToTheCallersKeyPrefixes(t *testing.T) {
	e := newEnv(t, envOptions{})
	caller := e.token(t, TokenSpec{Name: "app-admin", Role: "admin", KeyPrefixes: []string{"/app/"}})
	cases := []struct {
		name     string
		prefixes []string
		allowed  bool
	}{
		{"same prefix", []string{"/app/"}, true},
		{"prefix under it", []string{"/app/team1/"}, true},
		{"all keys", nil, false},
		{"another prefix", []string{"/other/"}, false},
		{"one of two prefixes outside", []string{"/app/x/", "/ap"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "POST", "/api/v1/tokens", caller, map[string]any{"name": "new", "role": "editor", "key_prefixes": c.prefixes})
			if !c.allowed {
				expectDenied(t, e, r, "tokens.create", "the new token")
			} else if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			_, target, err := e.srv.CreateToken(context.Background(), TokenSpec{Name: "target", Role: "editor", KeyPrefixes: c.prefixes})
			if err != nil {
				t.Fatal(err)
			}
			list := e.call(t, "GET", "/api/v1/tokens", caller, nil)
			if shown := strings.Contains(string(list.body), target.ID); shown != c.allowed {
				t.Fatalf("target listed: %t, want %t: %s", shown, c.allowed, list.body)
			}
			r = e.call(t, "DELETE", "/api/v1/tokens/"+target.ID, caller, nil)
			if !c.allowed {
				expectDenied(t, e, r, "tokens.revoke", "token "+target.ID)
			} else if r.status != http.StatusOK {
				t.Fatalf("revoke: %d %s", r.status, r.body)
			}
		})
	}
}

// The attack: an admin limited to a cluster revokes the unlimited admin's token, on the
// production store.
func TestClusterScopedAdminCannotRevokeAnUnlimitedAdmin(t *testing.T) {
	e := newEnv(t, envOptions{store: postgresStore})
	scoped := e.token(t, TokenSpec{Name: "scoped-admin", Role: "admin", Clusters: []string{"c1"}})
	admins, err := e.store.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var unlimited store.Token
	for _, tok := range admins {
		if tok.Name == "test-admin" {
			unlimited = tok
		}
	}
	r := e.call(t, "DELETE", "/api/v1/tokens/"+unlimited.ID, scoped, nil)
	expectDenied(t, e, r, "tokens.revoke", "is for all clusters")
	if got := e.call(t, "GET", "/api/v1/clusters", e.admin, nil); got.status != http.StatusOK {
		t.Fatalf("the unlimited admin no longer works: %d %s", got.status, got.body)
	}
	list := e.call(t, "GET", "/api/v1/tokens", scoped, nil)
	if strings.Contains(string(list.body), unlimited.ID) {
		t.Fatalf("a scoped admin sees the unlimited admin's token: %s", list.body)
	}
}

// expectDenied checks that r is a 403 whose message contains want, recorded as denied.
func expectDenied(t *testing.T, e *env, r response, operation, want string) {
	t.Helper()
	if r.status != http.StatusForbidden {
		t.Fatalf("status %d, want 403: %s", r.status, r.body)
	}
	if got := r.errorText(t); !strings.Contains(got, want) {
		t.Fatalf("error %q does not contain %q", got, want)
	}
	recs := e.audit(t, r.header.Get(RequestIDHeader), 1)
	if rec := recs[len(recs)-1]; rec.Outcome != store.OutcomeDenied || rec.Operation != operation {
		t.Fatalf("audit record %s %s, want %s denied", rec.Operation, rec.Outcome, operation)
	}
}
