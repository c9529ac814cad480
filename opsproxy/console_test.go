package opsproxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// consoleAnswer is the console API's answer (200) or error body (with exit_code).
type consoleAnswer struct {
	Stdout    string          `json:"stdout"`
	Stderr    string          `json:"stderr"`
	ExitCode  int             `json:"exit_code"`
	Result    json.RawMessage `json:"result"`
	Operation string          `json:"operation"`
	Format    string          `json:"format"`
	Job       *store.Job      `json:"job"`
	Duration  int64           `json:"duration_ns"`
	Error     string          `json:"error"`
	RequestID string          `json:"request_id"`
}

// console runs a line through the console API of cluster c1.
func (e *env) console(t testing.TB, token, line string) (response, consoleAnswer) {
	t.Helper()
	r := e.call(t, http.MethodPost, "/api/v1/clusters/c1/console", token, map[string]string{"line": line})
	var a consoleAnswer
	r.json(t, &a)
	return r, a
}

func TestConsolePutGetDelPrintAsEtcdctl(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			p := uniquePrefix(t)
			r, a := e.console(t, e.admin, "put "+p+"a 'hello world'")
			if r.status != http.StatusOK || a.Stdout != "OK\n" || a.ExitCode != 0 || a.Operation != "keys.put" {
				t.Fatalf("put: %d %+v", r.status, a)
			}
			recs := e.audit(t, r.header.Get("X-Request-Id"), 2)
			for _, rec := range recs {
				if rec.Operation != "keys.put" || rec.Command != "put "+p+"a <redacted 11 bytes>" || rec.ValueSize != 11 {
					t.Errorf("put audited as %s %q (value size %d)", rec.Operation, rec.Command, rec.ValueSize)
				}
				if strings.Contains(string(mustJSON(t, rec)), "hello world") {
					t.Errorf("audit record holds the put value: %+v", rec)
				}
			}
			// The audit API answers the command, in JSON and as the CSV export's last column.
			q := e.call(t, http.MethodGet, "/api/v1/audit?operation=keys.put&request_id="+r.header.Get("X-Request-Id"), e.admin, nil)
			if !strings.Contains(string(q.body), `"command":"put `+p+`a \u003credacted 11 bytes\u003e"`) {
				t.Errorf("audit query answer lacks the command: %s", q.body)
			}
			q = e.call(t, http.MethodGet, "/api/v1/audit?format=csv&operation=keys.put&request_id="+r.header.Get("X-Request-Id"), e.admin, nil)
			if !strings.Contains(string(q.body), ",command\n") || !strings.Contains(string(q.body), ",put "+p+"a <redacted 11 bytes>\n") {
				t.Errorf("audit CSV export lacks the command: %s", q.body)
			}
			e.console(t, e.admin, "put "+p+"b 2")
			_, a = e.console(t, e.admin, "get "+p+" --prefix")
			if want := p + "a\nhello world\n" + p + "b\n2\n"; a.Stdout != want || a.Operation != "keys.get" || a.Format != "simple" {
				t.Fatalf("get --prefix: %+v, want stdout %q", a, want)
			}
			var res struct {
				Count int64 `json:"count"`
			}
			if err := json.Unmarshal(a.Result, &res); err != nil || res.Count != 2 {
				t.Fatalf("get's result %s: want the JSON etcdctl prints, count 2 (%v)", a.Result, err)
			}
			_, a = e.console(t, e.admin, "get "+p+"a --print-value-only")
			if a.Stdout != "hello world\n" {
				t.Fatalf("get --print-value-only: %q", a.Stdout)
			}
			r, a = e.console(t, e.admin, "del "+p+" --prefix")
			if r.status != http.StatusOK || a.Stdout != "2\n" || a.Operation != "keys.delete" {
				t.Fatalf("del --prefix: %d %+v", r.status, a)
			}
		})
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConsoleRefusesWhatTheRoleMayNotDo(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := uniquePrefix(t)
	viewer := e.token(t, TokenSpec{Name: "console-viewer", Role: "viewer"})
	editor := e.token(t, TokenSpec{Name: "console-editor", Role: "editor", KeyPrefixes: []string{p + "mine/"}})
	r, a := e.console(t, viewer, "put "+p+"x secret-value")
	if r.status != http.StatusForbidden || a.ExitCode != 1 || !strings.Contains(a.Error, "viewer") {
		t.Fatalf("viewer put: %d %+v", r.status, a)
	}
	recs := e.audit(t, r.header.Get("X-Request-Id"), 1)
	if recs[0].Outcome != store.OutcomeDenied || recs[0].Operation != "keys.put" || recs[0].Command != "put "+p+"x <redacted 12 bytes>" {
		t.Fatalf("refused put audited as %+v", recs[0])
	}
	if strings.Contains(string(mustJSON(t, recs[0])), "secret-value") || strings.Contains(string(r.body), "secret-value") {
		t.Fatal("the refused put's value is in its audit record or answer")
	}
	r, a = e.console(t, editor, "put "+p+"other/x 1")
	if r.status != http.StatusForbidden || !strings.Contains(a.Error, "key prefixes") {
		t.Fatalf("editor put outside its prefixes: %d %+v", r.status, a)
	}
	r, a = e.console(t, editor, "put "+p+"mine/x 1")
	if r.status != http.StatusOK || a.Stdout != "OK\n" {
		t.Fatalf("editor put inside its prefixes: %d %+v", r.status, a)
	}
	r, _ = e.console(t, editor, "del "+p+" --prefix")
	if r.status != http.StatusForbidden {
		t.Fatalf("editor del of a prefix above its own: %d", r.status)
	}
}

func TestConsoleAnswersBadLinesAsEtcdctl(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, c := range []struct {
		line   string
		status int
		exit   int
		msg    string
	}{
		{"get --foo k", 400, 1, "unknown flag: --foo"},
		{"get", 400, 128, "get command needs one argument as key and an optional argument as range_end"},
		{"foo", 400, 1, `unknown command "foo" for "etcdctl"`},
		{"get -w yaml k", 400, 4, "unsupported output format"},
		{"get 'k", 400, 1, "unbalanced quotes"},
		{"get k --endpoints=http://evil:2379", 400, 1, "--endpoints"},
		{"get k | sh", 400, 1, "'|'"},
		{"put k v -w table", 400, 4, "table not supported as output format"},
	} {
		r, a := e.console(t, e.admin, c.line)
		if r.status != c.status || a.ExitCode != c.exit || !strings.Contains(a.Error, c.msg) {
			t.Errorf("%q: %d exit %d %q, want %d exit %d containing %q", c.line, r.status, a.ExitCode, a.Error, c.status, c.exit, c.msg)
		}
	}
	// A line that does not parse keeps only its command name and size in the audit log: its
	// other words may hold a value.
	r, _ := e.console(t, e.admin, "put /k 'top-secret")
	rec := e.audit(t, r.header.Get("X-Request-Id"), 1)[0]
	if rec.Operation != "console" || rec.Command != "put <redacted 18 bytes>" || rec.Outcome != store.OutcomeFailed {
		t.Fatalf("unparsed line audited as %s %q %s", rec.Operation, rec.Command, rec.Outcome)
	}
}
