package opsproxy

import (
	"strings"
	"testing"
)

// The console is served at /ui/ without a token, with its strict headers, whether or not this
// binary was built with the console bundle (200, or 503 saying how to build it).
func TestUIIsServedWithoutATokenWithStrictHeaders(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, path := range []string{"/ui/", "/ui/cluster"} {
		r := e.call(t, "GET", path, "", nil)
		if r.status != 200 && r.status != 503 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		if r.status == 503 && !strings.Contains(string(r.body), "make console") {
			t.Errorf("%s: 503 without saying how to build the console: %s", path, r.body)
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, r.header)
		}
	}
}

// ui.enabled: false turns the console off (404); the API is unchanged.
func TestUICanBeTurnedOff(t *testing.T) {
	e := newEnv(t, envOptions{extra: "ui:\n  enabled: false\n"})
	r := e.call(t, "GET", "/ui/", "", nil)
	if r.status != 404 {
		t.Fatalf("/ui/ with ui.enabled false: %d %s", r.status, r.body)
	}
	if got := r.errorText(t); got != "the console is turned off (ui.enabled: false)" {
		t.Errorf("error %q", got)
	}
	if r := e.call(t, "GET", "/api/v1/whoami", e.admin, nil); r.status != 200 {
		t.Errorf("whoami: %d %s", r.status, r.body)
	}
}
