package opsproxy

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// The console API keeps each run in the caller's history: put values redacted unless the user
// keeps them, refusals and failures with etcdctl's exit code, each user's apart.
func TestConsoleRunsLandInTheCallersHistory(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			p := uniquePrefix(t)
			ed := e.token(t, TokenSpec{Name: "hist-editor", Role: "editor"})
			viewer := e.token(t, TokenSpec{Name: "hist-viewer", Role: "viewer"})

			if r, a := e.console(t, ed, "put "+p+"k 's3cret value'"); r.status != http.StatusOK || a.ExitCode != 0 {
				t.Fatalf("put: %d %+v", r.status, a)
			}
			if r, _ := e.console(t, viewer, "put "+p+"k other"); r.status != http.StatusForbidden {
				t.Fatalf("viewer put: %d", r.status)
			}
			want := []string{"put " + p + "k <redacted 12 bytes>"}
			got := waitForHistory(t, e, ed, len(want))
			if !slices.Equal(got.lines(), want) || got.Entries[0].Cluster != "c1" || got.Entries[0].ExitCode != 0 {
				t.Fatalf("editor's history %+v, want %q on c1 with exit code 0", got.Entries, want)
			}
			refused := waitForHistory(t, e, viewer, 1)
			if refused.lines()[0] != "put "+p+"k <redacted 5 bytes>" || refused.Entries[0].ExitCode == 0 {
				t.Fatalf("viewer's refused put kept as %+v", refused.Entries)
			}

			// With keep_values on, the line is kept as typed.
			if r := e.call(t, http.MethodPut, "/api/v1/console/settings", ed, map[string]bool{"keep_values": true}); r.status != http.StatusOK {
				t.Fatalf("settings: %d %s", r.status, r.body)
			}
			if r, _ := e.console(t, ed, "put "+p+"k2 'kept value'"); r.status != http.StatusOK {
				t.Fatalf("second put: %d", r.status)
			}
			if got := waitForHistory(t, e, ed, 2).lines(); got[0] != "put "+p+"k2 'kept value'" {
				t.Fatalf("with keep_values the newest line is %q", got[0])
			}
		})
	}
}

// waitForHistory polls the caller's history until it holds n entries: the console writes each
// entry after it has answered.
func waitForHistory(t *testing.T, e *env, token string, n int) historyAnswer {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		h := e.history(t, token, "")
		if len(h.Entries) >= n || time.Now().After(deadline) {
			if len(h.Entries) < n {
				t.Fatalf("history holds %d entries, want %d: %q", len(h.Entries), n, h.lines())
			}
			return h
		}
		time.Sleep(20 * time.Millisecond)
	}
}
