package opsproxy

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// historyAnswer is GET /api/v1/console/history's answer.
type historyAnswer struct {
	Entries []struct {
		ID         string    `json:"id"`
		Cluster    string    `json:"cluster"`
		Line       string    `json:"line"`
		Time       time.Time `json:"time"`
		ExitCode   int       `json:"exit_code"`
		DurationNS int64     `json:"duration_ns"`
	} `json:"entries"`
	Next string `json:"next"`
}

func (h historyAnswer) lines() []string {
	out := []string{}
	for _, e := range h.Entries {
		out = append(out, e.Line)
	}
	return out
}

// seedHistory stores lines for user as the console does, one second apart, the last newest.
func seedHistory(t *testing.T, e *env, user, cluster string, lines ...string) {
	t.Helper()
	at := time.Now().Add(-time.Hour)
	for i, line := range lines {
		if _, err := e.store.AppendConsoleEntry(context.Background(), store.ConsoleEntry{
			User: user, Cluster: cluster, Line: line, Time: at.Add(time.Duration(i) * time.Second), ExitCode: i % 2, Duration: time.Millisecond,
		}); err != nil {
			t.Fatalf("seed %s's history: %v", user, err)
		}
	}
}

func (e *env) history(t *testing.T, token, query string, headers ...string) historyAnswer {
	t.Helper()
	r := e.call(t, "GET", "/api/v1/console/history"+query, token, nil, headers...)
	if r.status != 200 {
		t.Fatalf("history%s: %d %s", query, r.status, r.body)
	}
	var h historyAnswer
	r.json(t, &h)
	return h
}

func TestConsoleHistoryIsPrivateToItsUser(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			alice := e.token(t, TokenSpec{Name: "alice", Role: "viewer"})
			bob := e.token(t, TokenSpec{Name: "bob", Role: "admin"})
			grafana := e.token(t, TokenSpec{Name: "grafana", Role: "editor", ActsForUsers: true})
			seedHistory(t, e, "alice", "c1", "get /alice/1", "put /alice/2 <redacted>", "get /alice/3")
			seedHistory(t, e, "bob", "c1", "get /bob-secret")
			seedHistory(t, e, "carol", "c1", "get /carol")
			seedHistory(t, e, "dave", "c1", "member list")

			if got := e.history(t, alice, "").lines(); !reflect.DeepEqual(got, []string{"get /alice/3", "put /alice/2 <redacted>", "get /alice/1"}) {
				t.Fatalf("alice sees %q, want her three lines newest first", got)
			}
			// An admin of another name sees only its own, whatever its role.
			if got := e.history(t, bob, "").lines(); !reflect.DeepEqual(got, []string{"get /bob-secret"}) {
				t.Fatalf("bob sees %q", got)
			}
			// No parameter names another user: an unknown one is refused, not obeyed.
			if r := e.call(t, "GET", "/api/v1/console/history?user=alice", bob, nil); r.status == 200 && strings.Contains(string(r.body), "alice") {
				t.Fatalf("bob asking for ?user=alice got alice's lines: %s", r.body)
			}
			// One Grafana service token acting for two users keeps them apart.
			carol := e.history(t, grafana, "", DefaultUserHeader, "carol", DefaultRoleHeader, "Viewer")
			dave := e.history(t, grafana, "", DefaultUserHeader, "dave", DefaultRoleHeader, "Editor")
			if !reflect.DeepEqual(carol.lines(), []string{"get /carol"}) || !reflect.DeepEqual(dave.lines(), []string{"member list"}) {
				t.Fatalf("through one service token: carol sees %q, dave sees %q", carol.lines(), dave.lines())
			}
			// The service token's own name is not a way into its users' histories.
			if got := e.history(t, grafana, "").lines(); len(got) != 0 {
				t.Fatalf("the service token as itself sees %q", got)
			}
			// Clearing is the caller's own history only.
			r := e.call(t, "DELETE", "/api/v1/console/history", grafana, nil, DefaultUserHeader, "carol", DefaultRoleHeader, "Viewer")
			if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"deleted":1}` {
				t.Fatalf("carol clears: %d %s", r.status, r.body)
			}
			if got := e.history(t, grafana, "", DefaultUserHeader, "dave", DefaultRoleHeader, "Editor").lines(); len(got) != 1 {
				t.Fatalf("dave after carol's clear: %q", got)
			}
			if got := e.history(t, alice, "").lines(); len(got) != 3 {
				t.Fatalf("alice after carol's clear: %q", got)
			}
		})
	}
}

func TestConsoleHistoryPagesSearchesAndFilters(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.token(t, TokenSpec{Name: "alice", Role: "viewer"})
	var lines []string
	for i := range 5 {
		lines = append(lines, fmt.Sprintf("get /Registry/k%d", i))
	}
	seedHistory(t, e, "alice", "c1", lines...)
	seedHistory(t, e, "alice", "c2", "member list")
	var got []string
	query := "?limit=2&q=" + url.QueryEscape("registry/")
	for pages := 0; ; pages++ {
		if pages > 4 {
			t.Fatalf("paging does not end: %q", got)
		}
		h := e.history(t, alice, query)
		if len(h.Entries) > 2 {
			t.Fatalf("page of %d, limit 2", len(h.Entries))
		}
		got = append(got, h.lines()...)
		if h.Next == "" {
			break
		}
		query = "?limit=2&q=registry%2F&cursor=" + url.QueryEscape(h.Next)
	}
	if want := []string{"get /Registry/k4", "get /Registry/k3", "get /Registry/k2", "get /Registry/k1", "get /Registry/k0"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("pages of the search: %q, want %q", got, want)
	}
	if got := e.history(t, alice, "?cluster=c2").lines(); !reflect.DeepEqual(got, []string{"member list"}) {
		t.Fatalf("cluster c2: %q", got)
	}
	// A token scoped to c1 sees only c1's entries, and may not ask for c2's.
	scoped := e.token(t, TokenSpec{Name: "alice", Role: "viewer", Clusters: []string{"c1"}})
	if got := e.history(t, scoped, "?limit=1000").lines(); len(got) != 5 || strings.Contains(strings.Join(got, " "), "member") {
		t.Fatalf("token scoped to c1 sees %q", got)
	}
	r := e.call(t, "GET", "/api/v1/console/history?cluster=c2", scoped, nil)
	if r.status != 403 || !strings.Contains(r.errorText(t), `cluster "c2"`) {
		t.Fatalf("scoped token asking for c2: %d %s", r.status, r.body)
	}
}

func TestConsoleHistoryRefusesBadInput(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.token(t, TokenSpec{Name: "alice", Role: "viewer"})
	cases := []struct {
		name, method, path string
		body               any
		status             int
		want               string
	}{
		{"limit over 1000", "GET", "/api/v1/console/history?limit=1001", nil, 400, "limit: at most 1000"},
		{"negative limit", "GET", "/api/v1/console/history?limit=-1", nil, 400, "limit: must be at least 0"},
		{"limit not a number", "GET", "/api/v1/console/history?limit=ten", nil, 400, "limit: want an integer"},
		{"forged cursor", "GET", "/api/v1/console/history?cursor=yesterday", nil, 400, "cursor: not a cursor this API gave"},
		{"search text over 1 KiB", "GET", "/api/v1/console/history?q=" + strings.Repeat("x", 1025), nil, 400, "q: over 1024 bytes"},
		{"settings without keep_values", "PUT", "/api/v1/console/settings", `{}`, 400, "keep_values: required"},
		{"settings with an unknown field", "PUT", "/api/v1/console/settings", `{"keep_values":true,"user":"bob"}`, 400, `unknown field "user"`},
		{"settings of the wrong type", "PUT", "/api/v1/console/settings", `{"keep_values":"yes"}`, 400, "keep_values: want bool"},
		{"oversized settings", "PUT", "/api/v1/console/settings", `{"keep_values":true,"x":"` + strings.Repeat("x", 5000) + `"}`, 413, "larger than 4096 bytes"},
		{"no token", "GET", "/api/v1/console/history", nil, 401, "missing bearer token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			token := alice
			if c.status == 401 {
				token = ""
			}
			r := e.call(t, c.method, c.path, token, c.body)
			if r.status != c.status || !strings.Contains(r.errorText(t), c.want) {
				t.Fatalf("%d %s, want %d naming %q", r.status, r.body, c.status, c.want)
			}
		})
	}
	if s, err := e.store.ConsoleSettings(context.Background(), "alice"); err != nil || s.KeepValues {
		t.Fatalf("settings after refused changes: %+v, %v; want untouched", s, err)
	}
}

func TestConsoleSettingsRoundTripAndChangesAreAudited(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			alice := e.token(t, TokenSpec{Name: "alice", Role: "viewer"})
			bob := e.token(t, TokenSpec{Name: "bob", Role: "viewer"})
			if r := e.call(t, "GET", "/api/v1/console/settings", alice, nil); r.status != 200 || strings.TrimSpace(string(r.body)) != `{"keep_values":false}` {
				t.Fatalf("default settings: %d %s", r.status, r.body)
			}
			r := e.call(t, "PUT", "/api/v1/console/settings", alice, `{"keep_values":true}`)
			if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"keep_values":true}` {
				t.Fatalf("set: %d %s", r.status, r.body)
			}
			recs := e.audit(t, r.header.Get("X-Request-Id"), 2)
			if recs[0].Operation != "console.settings.set" || recs[0].User != "alice" || recs[len(recs)-1].Outcome != store.OutcomeSucceeded {
				t.Fatalf("audit of the change: %+v", recs)
			}
			if r := e.call(t, "GET", "/api/v1/console/settings", alice, nil); strings.TrimSpace(string(r.body)) != `{"keep_values":true}` {
				t.Fatalf("alice after set: %s", r.body)
			}
			if r := e.call(t, "GET", "/api/v1/console/settings", bob, nil); strings.TrimSpace(string(r.body)) != `{"keep_values":false}` {
				t.Fatalf("bob after alice's set: %s", r.body)
			}
			seedHistory(t, e, "alice", "c1", "get /a", "get /b")
			r = e.call(t, "DELETE", "/api/v1/console/history", alice, nil)
			if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"deleted":2}` {
				t.Fatalf("clear: %d %s", r.status, r.body)
			}
			recs = e.audit(t, r.header.Get("X-Request-Id"), 2)
			if recs[0].Operation != "console.history.clear" || recs[0].User != "alice" {
				t.Fatalf("audit of the clear: %+v", recs)
			}
		})
	}
}

func TestConsoleHistoryAnswers503WhileTheStoreIsDown(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st})
	alice := e.token(t, TokenSpec{Name: "alice", Role: "viewer"})
	seedHistory(t, e, "alice", "c1", "get /a")
	if got := e.history(t, alice, "").lines(); len(got) != 1 {
		t.Fatalf("before the outage: %q", got) // also caches alice's token
	}
	e.storeDown(t, p)
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/console/history", ""},
		{"DELETE", "/api/v1/console/history", ""},
		{"GET", "/api/v1/console/settings", ""},
		{"PUT", "/api/v1/console/settings", `{"keep_values":true}`},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		r := e.call(t, c.method, c.path, alice, body)
		msg := r.errorText(t)
		if r.status != 503 {
			t.Errorf("%s %s with the store down: %d %s, want 503", c.method, c.path, r.status, r.body)
		}
		for _, internal := range []string{"pgx", "SQLSTATE", "dial tcp", p.addr, pgPassword, "connection refused"} {
			if strings.Contains(msg, internal) {
				t.Errorf("%s %s: answer shows %q: %s", c.method, c.path, internal, msg)
			}
		}
	}
}
