package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

func TestForwardActsForTheGrafanaUser(t *testing.T) {
	env := opsproxytest.New(t)
	s := settings(env.URL, env.Service)
	logs := newTestLogger()
	a := newApp(s, logs)
	editor := &backend.User{Login: "alice", Name: "Alice", Email: "alice@example.com", Role: "Editor"}

	put := call(t, a, s, editor, http.MethodPut, "api/v1/clusters/c1/keys", []byte(`{"key":"/app/a","value":"1"}`))
	if put.status != http.StatusOK {
		t.Fatalf("put as Editor: %d %s", put.status, put.body)
	}
	if put.headers["X-Request-Id"] == nil {
		t.Errorf("opsproxy's X-Request-Id not passed back: %v", put.headers)
	}
	get := call(t, a, s, editor, http.MethodGet, "api/v1/clusters/c1/keys?key=/app/a", nil)
	if get.status != http.StatusOK || !strings.Contains(string(get.body), "/app/a") {
		t.Fatalf("get as Editor: %d %s", get.status, get.body)
	}

	recs := env.Audit(t, "operation=keys.put&cluster=c1")
	if len(recs) == 0 {
		t.Fatal("no audit record of the put")
	}
	for _, r := range recs {
		if r.User != "alice" {
			t.Errorf("audit record of the put names user %q, want the Grafana login alice: %+v", r.User, r)
		}
		if r.Role != "editor" {
			t.Errorf("audit record role %q, want editor (the Grafana org role, below the token's admin)", r.Role)
		}
	}

	// A Viewer reads, and opsproxy refuses the write: the role went along.
	viewer := &backend.User{Login: "bob", Role: "Viewer"}
	denied := call(t, a, s, viewer, http.MethodPut, "api/v1/clusters/c1/keys", []byte(`{"key":"/app/b","value":"1"}`))
	if denied.status != http.StatusForbidden {
		t.Fatalf("put as Viewer: %d %s, want 403 from opsproxy", denied.status, denied.body)
	}
	recs = env.Audit(t, "user=bob&outcome=denied")
	if len(recs) == 0 {
		t.Error("opsproxy did not record bob's refused write")
	}

	for _, r := range []resource{put, get, denied} {
		assertNoSecret(t, env.Service, "answer", string(r.body)+headerText(r.headers))
	}
	assertNoSecret(t, env.Service, "plugin log", logs.String())
}

func TestForwardRefusesUsersWithoutOrgRole(t *testing.T) {
	env := opsproxytest.New(t)
	s := settings(env.URL, env.Service)
	a := newApp(s, newTestLogger())
	for _, user := range []*backend.User{
		{Login: "nobody", Role: "None"},
		{Login: "nobody", Role: ""},
		{Login: "nobody", Role: "Superuser"},
		nil,
	} {
		r := call(t, a, s, user, http.MethodGet, "api/v1/clusters", nil)
		if r.status != http.StatusForbidden {
			t.Errorf("user %+v: %d %s, want 403", user, r.status, r.body)
			continue
		}
		msg := r.errorText(t)
		if user != nil && !strings.Contains(msg, "has no access") {
			t.Errorf("user %+v: error %q does not say the role has no access", user, msg)
		}
	}
	// Refused here: opsproxy never heard of them.
	for _, r := range env.Audit(t, "") {
		if r.User == "nobody" {
			t.Errorf("opsproxy was called for a user without an org role: %+v", r)
		}
	}
}

func TestForwardSaysWhenOpsproxyIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	const secret = "emt_not-a-real-token-but-secret"
	s := settings(url, secret)
	logs := newTestLogger()
	a := newApp(s, logs)

	r := call(t, a, s, &backend.User{Login: "alice", Role: "Admin"}, http.MethodGet, "api/v1/clusters", nil)
	if r.status != http.StatusBadGateway {
		t.Fatalf("opsproxy down: %d %s, want 502", r.status, r.body)
	}
	msg := r.errorText(t)
	if !strings.Contains(msg, "opsproxy at "+url+" is unreachable") || !strings.Contains(msg, "connection refused") {
		t.Errorf("error %q does not say opsproxy at %s is unreachable and why", msg, url)
	}
	assertNoSecret(t, secret, "answer", string(r.body)+headerText(r.headers))
	assertNoSecret(t, secret, "plugin log", logs.String())
	if !strings.Contains(logs.String(), "unreachable") {
		t.Errorf("the failure was not logged: %q", logs.String())
	}
}

func TestForwardSaysWhenNotConfigured(t *testing.T) {
	for name, tc := range map[string]struct {
		s    backend.AppInstanceSettings
		want string
	}{
		"nothing":  {settings("", ""), "set the opsproxy URL and service token"},
		"no token": {settings("http://127.0.0.1:9980", ""), "set the service token"},
		"bad URL":  {settings("opsproxy:9980", "emt_x"), "want http:// or https://"},
	} {
		t.Run(name, func(t *testing.T) {
			a := newApp(tc.s, newTestLogger())
			r := call(t, a, tc.s, &backend.User{Login: "alice", Role: "Admin"}, http.MethodGet, "api/v1/clusters", nil)
			if r.status != http.StatusServiceUnavailable {
				t.Fatalf("%d %s, want 503", r.status, r.body)
			}
			if msg := r.errorText(t); !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
		})
	}
}

func assertNoSecret(t *testing.T, secret, where, text string) {
	t.Helper()
	if secret == "" {
		t.Fatal("empty secret")
	}
	if strings.Contains(text, secret) {
		t.Errorf("the service token appears in the %s", where)
	}
}

func headerText(h map[string][]string) string {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(h)
	return b.String()
}

func TestForwardDropsIdentityTheBrowserSent(t *testing.T) {
	env := opsproxytest.New(t)
	s := settings(env.URL, env.Service)
	a := newApp(s, newTestLogger())
	other := env.Token(t, opsproxy.TokenSpec{Name: "other", Role: "admin"})
	req := &backend.CallResourceRequest{
		PluginContext: backend.PluginContext{PluginID: ID, User: &backend.User{Login: "alice", Role: "Viewer"}, AppInstanceSettings: &s},
		Path:          "api/v1/clusters/c1/keys",
		URL:           "api/v1/clusters/c1/keys",
		Method:        http.MethodPut,
		Body:          []byte(`{"key":"/spoof","value":"1"}`),
		Headers: map[string][]string{
			"Content-Type":       {"application/json"},
			"Authorization":      {"Bearer " + other},
			"X-Grafana-User":     {"mallory"},
			"X-Grafana-Org-Role": {"Admin"},
		},
	}
	var status int
	err := a.CallResource(context.Background(), req, backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
		if r.Status != 0 {
			status = r.Status
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusForbidden {
		t.Errorf("a Viewer's write with Admin headers from the browser: %d, want 403 (the plugin context's role, not the header)", status)
	}
	for _, r := range env.Audit(t, "operation=keys.put") {
		if r.User != "alice" {
			t.Errorf("audit record names %q: the browser's identity headers reached opsproxy", r.User)
		}
	}
}

// The app passes the user's Grafana org: a service token that opsproxy maps onto org 2 acts
// for users of org 2 with what org 2's roles are granted there, and for no other org.
func TestForwardPassesTheOrgThatOpsproxyMapsTheTokenTo(t *testing.T) {
	env := opsproxytest.New(t)
	env.Reconfigure(t, fmt.Sprintf(`auth:
  grafana:
    service_tokens:
      - token_id: %s
        org_id: 2
        roles:
          Editor: {role: editor, key_prefixes: [/team-a/]}
`, env.ServiceID))
	s := settings(env.URL, env.Service)
	a := newApp(s, newTestLogger())
	editor := &backend.User{Login: "alice", Role: "Editor"}
	put := func(org int64, key string) resource {
		return callInOrg(t, a, s, editor, org, http.MethodPut, "api/v1/clusters/c1/keys", []byte(`{"key":"`+key+`","value":"1"}`))
	}
	if r := put(2, "/team-a/x"); r.status != http.StatusOK {
		t.Fatalf("put under the granted prefix in org 2: %d %s", r.status, r.body)
	}
	if r := put(2, "/team-b/x"); r.status != http.StatusForbidden || !strings.Contains(r.errorText(t), "outside the key prefixes the Grafana org role is granted") {
		t.Fatalf("put outside the granted prefix: %d %s, want 403", r.status, r.body)
	}
	if r := put(1, "/team-a/x"); r.status != http.StatusForbidden || !strings.Contains(r.errorText(t), "serves Grafana org 2") {
		t.Fatalf("put in org 1: %d %s, want 403 naming org 2", r.status, r.body)
	}
}

func TestOrgOfNamespaceReadsGrafanasNamespaces(t *testing.T) {
	cases := []struct {
		ns  string
		org int64
		ok  bool
	}{
		{"default", 1, true}, {"org-2", 2, true}, {"stacks-123", 1, true},
		{"", 0, false}, {"org-", 0, false}, {"org-0", 0, false}, {"org-x", 0, false}, {"other", 0, false},
	}
	for _, c := range cases {
		if org, ok := orgOfNamespace(c.ns); org != c.org || ok != c.ok {
			t.Errorf("orgOfNamespace(%q) = %d %t, want %d %t", c.ns, org, ok, c.org, c.ok)
		}
	}
}
