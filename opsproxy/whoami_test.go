package opsproxy

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// whoamiAnswer is GET /api/v1/whoami's answer.
type whoamiAnswer struct {
	User         string   `json:"user"`
	TokenID      string   `json:"token_id"`
	Role         string   `json:"role"`
	Clusters     []string `json:"clusters"`
	KeyPrefixes  []string `json:"key_prefixes"`
	ActsForUsers bool     `json:"acts_for_users"`
}

func createToken(t *testing.T, e *env, spec TokenSpec) (string, store.Token) {
	t.Helper()
	spec.CreatedBy = "test"
	secret, tok, err := e.srv.CreateToken(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return secret, tok
}

func TestWhoamiAnswersTheTokensOwnScope(t *testing.T) {
	e := newEnv(t, envOptions{})
	scoped, scopedTok := createToken(t, e, TokenSpec{Name: "team-a", Role: "editor", Clusters: []string{"c1"}, KeyPrefixes: []string{"/team-a/"}})
	elsewhere, elsewhereTok := createToken(t, e, TokenSpec{Name: "team-b", Role: "viewer", Clusters: []string{"other"}})
	cases := []struct {
		name, token string
		want        whoamiAnswer
	}{
		{"scoped editor", scoped, whoamiAnswer{User: "team-a", TokenID: scopedTok.ID, Role: "editor", Clusters: []string{"c1"}, KeyPrefixes: []string{"/team-a/"}}},
		{"token scoped to another cluster", elsewhere, whoamiAnswer{User: "team-b", TokenID: elsewhereTok.ID, Role: "viewer", Clusters: []string{"other"}, KeyPrefixes: []string{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/whoami", c.token, nil)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var got whoamiAnswer
			r.json(t, &got)
			if got.User != c.want.User || got.TokenID != c.want.TokenID || got.Role != c.want.Role ||
				!slices.Equal(got.Clusters, c.want.Clusters) || !slices.Equal(got.KeyPrefixes, c.want.KeyPrefixes) || got.ActsForUsers {
				t.Fatalf("whoami %+v, want %+v", got, c.want)
			}
		})
	}
	var admin whoamiAnswer
	e.call(t, "GET", "/api/v1/whoami", e.admin, nil).json(t, &admin)
	if admin.Role != "admin" || admin.Clusters == nil || len(admin.Clusters) != 0 {
		t.Fatalf("admin of every cluster: %+v (clusters must be [] meaning all)", admin)
	}
}

func TestWhoamiOfAGrafanaUserHasTheLowerRole(t *testing.T) {
	e := newEnv(t, envOptions{})
	service, serviceTok := createToken(t, e, TokenSpec{Name: "grafana", Role: "editor", ActsForUsers: true})
	cases := []struct{ grafanaRole, want string }{{"Viewer", "viewer"}, {"Editor", "editor"}, {"Admin", "editor"}}
	for _, c := range cases {
		r := e.call(t, "GET", "/api/v1/whoami", service, nil, DefaultUserHeader, "alice", DefaultRoleHeader, c.grafanaRole)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", c.grafanaRole, r.status, r.body)
		}
		var got whoamiAnswer
		r.json(t, &got)
		if got.User != "alice" || got.Role != c.want || got.TokenID != serviceTok.ID || !got.ActsForUsers {
			t.Errorf("Grafana %s through an editor token: %+v, want user alice role %s", c.grafanaRole, got, c.want)
		}
	}
	r := e.call(t, "GET", "/api/v1/whoami", service, nil, DefaultUserHeader, "erin", DefaultRoleHeader, "None")
	if r.status != 403 {
		t.Errorf("Grafana role None: %d %s, want 403", r.status, r.body)
	}
}

func TestWhoamiNeverShowsTheSecretOrItsHash(t *testing.T) {
	e := newEnv(t, envOptions{})
	secret, tok := createToken(t, e, TokenSpec{Name: "viewer", Role: "viewer"})
	r := e.call(t, "GET", "/api/v1/whoami", secret, nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	hash := store.HashSecret(secret)
	for _, s := range []string{secret, string(hash[:]), strings.TrimPrefix(secret, "etcdm_"), "secret", "hash"} {
		if strings.Contains(string(r.body), s) {
			t.Errorf("answer contains %q: %s", s, r.body)
		}
	}
	var fields map[string]any
	r.json(t, &fields)
	for k := range fields {
		if !slices.Contains([]string{"user", "token_id", "role", "clusters", "key_prefixes", "acts_for_users"}, k) {
			t.Errorf("unexpected field %q", k)
		}
	}
	if fields["token_id"] != tok.ID {
		t.Errorf("token_id %v, want %s", fields["token_id"], tok.ID)
	}
	if strings.Contains(e.log.String(), secret) {
		t.Error("the log shows the secret")
	}
}

func TestWhoamiRefusesOversizedAndMissingCredentials(t *testing.T) {
	e := newEnv(t, envOptions{})
	service := e.token(t, TokenSpec{Name: "grafana", Role: "admin", ActsForUsers: true})
	cases := []struct {
		name, token string
		headers     []string
		status      int
		errText     string
	}{
		{"no token", "", nil, 401, "missing bearer token"},
		{"an oversized unknown token", strings.Repeat("x", 64<<10), nil, 401, "unknown token"},
		{"an oversized Grafana user", service, []string{DefaultUserHeader, strings.Repeat("a", 4096), DefaultRoleHeader, "Admin"}, 403, "X-Grafana-User: at most 256 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/whoami", c.token, nil, c.headers...)
			if r.status != c.status {
				t.Fatalf("%d %s, want %d", r.status, r.body, c.status)
			}
			if got := r.errorText(t); got != c.errText {
				t.Errorf("error %q, want %q", got, c.errText)
			}
		})
	}
}

// With the history store gone, a token read before still answers (reads go on with cached
// tokens) and one never seen is refused 503 without the store's own text.
func TestWhoamiWhileTheStoreIsDown(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st})
	unseen := e.token(t, TokenSpec{Name: "unseen", Role: "viewer"})
	e.storeDown(t, p)
	r := e.call(t, "GET", "/api/v1/whoami", e.admin, nil)
	if r.status != 200 {
		t.Fatalf("cached admin token: %d %s", r.status, r.body)
	}
	r = e.call(t, "GET", "/api/v1/whoami", unseen, nil)
	if r.status != 503 {
		t.Fatalf("uncached token: %d %s, want 503", r.status, r.body)
	}
	if got := r.errorText(t); got != "token store unavailable" {
		t.Errorf("error %q", got)
	}
}
