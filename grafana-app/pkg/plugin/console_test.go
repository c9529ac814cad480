package plugin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
)

// The Console page's calls (issue #14) go through the same forward as every page's: run a line,
// complete at a cursor, the history and settings, each as the signed-in Grafana user with the
// methods the page uses (POST, GET, PUT, DELETE).
func TestForwardCarriesTheConsoleAsTheGrafanaUser(t *testing.T) {
	env := opsproxytest.New(t)
	s := settings(env.URL, env.Service)
	logs := newTestLogger()
	a := newApp(s, logs)
	editor := &backend.User{Login: "alice", Role: "Editor"}
	viewer := &backend.User{Login: "bob", Role: "Viewer"}
	var answers []resource

	run := func(u *backend.User, line string) resource {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"line": line})
		r := call(t, a, s, u, http.MethodPost, "api/v1/clusters/c1/console", body)
		answers = append(answers, r)
		return r
	}

	put := run(editor, "put /app/console-key a-secret-value")
	if put.status != http.StatusOK {
		t.Fatalf("console put as Editor: %d %s", put.status, put.body)
	}
	got := run(viewer, "get /app/console-key --print-value-only")
	var ran struct {
		Stdout    string `json:"stdout"`
		ExitCode  int    `json:"exit_code"`
		Operation string `json:"operation"`
	}
	if err := json.Unmarshal(got.body, &ran); err != nil || got.status != http.StatusOK {
		t.Fatalf("console get as Viewer: %d %s (%v)", got.status, got.body, err)
	}
	if ran.Stdout != "a-secret-value\n" || ran.ExitCode != 0 || ran.Operation != "keys.get" {
		t.Errorf("console get as Viewer: %+v, want etcdctl's value line, exit 0, keys.get", ran)
	}

	// The Viewer's put is refused by opsproxy, with etcdctl's exit code, and audited as bob.
	denied := run(viewer, "put /app/console-key overwritten")
	if denied.status != http.StatusForbidden {
		t.Fatalf("console put as Viewer: %d %s, want 403", denied.status, denied.body)
	}
	var refusal struct {
		Error    string `json:"error"`
		ExitCode *int   `json:"exit_code"`
	}
	if err := json.Unmarshal(denied.body, &refusal); err != nil || refusal.ExitCode == nil || *refusal.ExitCode != 1 {
		t.Errorf("the refusal %s carries no exit_code 1 (%v)", denied.body, err)
	}
	var bobs []opsproxytest.AuditRecord
	for _, r := range env.Audit(t, "user=bob&outcome=denied&operation=keys.put") {
		if r.Command != "" {
			bobs = append(bobs, r)
		}
	}
	if len(bobs) != 1 || strings.Contains(bobs[0].Command, "overwritten") {
		t.Errorf("audit of bob's console put: %+v, want one record with the command, its value left out", bobs)
	}

	// Completion of a key at the cursor, as the Viewer.
	line := "get /app/cons"
	q := url.Values{"line": {line}, "cursor": {"13"}}
	comp := call(t, a, s, viewer, http.MethodGet, "api/v1/clusters/c1/complete?"+q.Encode(), nil)
	answers = append(answers, comp)
	if comp.status != http.StatusOK || !strings.Contains(string(comp.body), `"/app/console-key"`) {
		t.Errorf("complete %q as Viewer: %d %s, want /app/console-key", line, comp.status, comp.body)
	}

	// Each user's own history: alice's line with the value redacted, none of it for bob.
	hist := call(t, a, s, editor, http.MethodGet, "api/v1/console/history?cluster=c1", nil)
	answers = append(answers, hist)
	if hist.status != http.StatusOK || !strings.Contains(string(hist.body), "put /app/console-key") ||
		strings.Contains(string(hist.body), "a-secret-value") {
		t.Errorf("alice's history: %d %s, want her put with the value redacted", hist.status, hist.body)
	}
	bobHist := call(t, a, s, viewer, http.MethodGet, "api/v1/console/history", nil)
	answers = append(answers, bobHist)
	if bobHist.status != http.StatusOK || strings.Contains(string(bobHist.body), "put /app/console-key a") {
		t.Errorf("bob's history: %d %s, want none of alice's lines", bobHist.status, bobHist.body)
	}

	set := call(t, a, s, viewer, http.MethodPut, "api/v1/console/settings", []byte(`{"keep_values":true}`))
	answers = append(answers, set)
	if set.status != http.StatusOK || !strings.Contains(string(set.body), `"keep_values":true`) {
		t.Errorf("PUT settings as Viewer: %d %s", set.status, set.body)
	}
	clear := call(t, a, s, editor, http.MethodDelete, "api/v1/console/history", nil)
	answers = append(answers, clear)
	if clear.status != http.StatusOK || !strings.Contains(string(clear.body), `"deleted"`) {
		t.Errorf("DELETE history as Editor: %d %s", clear.status, clear.body)
	}

	for _, r := range answers {
		assertNoSecret(t, env.Service, "answer", string(r.body)+headerText(r.headers))
	}
	assertNoSecret(t, env.Service, "plugin log", logs.String())
}
