package opsproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/tokens"
)

func TestAuthenticationRefusesMissingUnknownExpiredAndRevokedTokens(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	expired := NewTokenSecret()
	// A token whose expiry has passed, written straight to the store.
	past := time.Now().Add(-time.Hour)
	if err := e.store.CreateToken(ctx, store.Token{ID: "expired1", Name: "old", Role: "admin",
		SecretHash: store.HashSecret(expired), CreatedAt: past.Add(-time.Hour), ExpiresAt: past}); err != nil {
		t.Fatal(err)
	}
	revoked, tok, err := e.srv.CreateToken(ctx, TokenSpec{Name: "gone", Role: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeToken(ctx, tok.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		header string
		want   string
	}{
		{"no header", "", "missing bearer token"},
		{"basic scheme", "Basic dXNlcjpwYXNz", "authorization header: want Bearer <token>"},
		{"empty bearer", "Bearer ", "authorization header: want Bearer <token>"},
		{"unknown token", "Bearer " + NewTokenSecret(), "unknown token"},
		{"expired token", "Bearer " + expired, "token expired1 has expired"},
		{"revoked token", "Bearer " + revoked, "token " + tok.ID + " was revoked"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/clusters", "", nil, "Authorization", c.header)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", r.status, r.body)
			}
			if got := r.errorText(t); got != c.want {
				t.Fatalf("error %q, want %q", got, c.want)
			}
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
}

func TestRolesAllowAndRefuseByOperationAndRecordRefusals(t *testing.T) {
	e := newEnv(t, envOptions{})
	prefix := uniquePrefix(t)
	viewer := e.token(t, TokenSpec{Name: "vera", Role: "viewer"})
	editor := e.token(t, TokenSpec{Name: "eddie", Role: "editor", KeyPrefixes: []string{prefix + "app/"}})
	otherCluster := e.token(t, TokenSpec{Name: "olga", Role: "admin", Clusters: []string{"elsewhere"}})
	put := func(key string) map[string]any { return map[string]any{"key": key, "value": "v"} }
	cases := []struct {
		name    string
		token   string
		method  string
		path    string
		body    any
		status  int
		outcome store.Outcome
		errText string
	}{
		{"viewer reads keys", viewer, "GET", "/api/v1/clusters/c1/keys?key=" + url.QueryEscape(prefix+"x"), nil, 200, store.OutcomeSucceeded, ""},
		{"viewer may not put", viewer, "PUT", "/api/v1/clusters/c1/keys", put(prefix + "app/a"), 403, store.OutcomeDenied, "role viewer may not keys put: needs editor"},
		{"editor puts under its prefix", editor, "PUT", "/api/v1/clusters/c1/keys", put(prefix + "app/a"), 200, store.OutcomeSucceeded, ""},
		{"editor may not put outside its prefix", editor, "PUT", "/api/v1/clusters/c1/keys", put(prefix + "other"), 403, store.OutcomeDenied, "key range is outside the token's key prefixes (" + prefix + "app/)"},
		{"editor may not delete a wider prefix", editor, "DELETE", "/api/v1/clusters/c1/keys?prefix=true&key=" + url.QueryEscape(prefix), nil, 403, store.OutcomeDenied, "key range is outside the token's key prefixes (" + prefix + "app/)"},
		{"editor deletes its own prefix", editor, "DELETE", "/api/v1/clusters/c1/keys?prefix=true&key=" + url.QueryEscape(prefix+"app/"), nil, 200, store.OutcomeSucceeded, ""},
		{"editor may not list tokens", editor, "GET", "/api/v1/tokens", nil, 403, store.OutcomeDenied, "role editor may not tokens list: needs admin"},
		{"token of another cluster is refused", otherCluster, "GET", "/api/v1/clusters/c1/keys?key=a", nil, 403, store.OutcomeDenied, `may not act on cluster "c1"`},
		{"unknown cluster is not found", e.admin, "GET", "/api/v1/clusters/nope/keys?key=a", nil, 404, store.OutcomeFailed, `no cluster "nope"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, c.method, c.path, c.token, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.errText != "" {
				if got := r.errorText(t); !strings.Contains(got, c.errText) {
					t.Fatalf("error %q does not contain %q", got, c.errText)
				}
			}
			n := 1
			if c.method != "GET" && c.outcome == store.OutcomeSucceeded {
				n = 2 // attempted, then succeeded
			}
			recs := e.audit(t, r.header.Get(RequestIDHeader), n)
			last := recs[len(recs)-1]
			if last.Outcome != c.outcome {
				t.Fatalf("audit outcome %s, want %s (%+v)", last.Outcome, c.outcome, last)
			}
		})
	}
}

func TestClusterListShowsOnlyClustersOfTheTokensScope(t *testing.T) {
	e := newEnv(t, envOptions{extra: "", configure: func(c *Config) {
		second := c.Clusters[0]
		second.Name = "c2"
		c.Clusters = append(c.Clusters, second)
	}})
	scoped := e.token(t, TokenSpec{Name: "scoped", Role: "viewer", Clusters: []string{"c2"}})
	cases := []struct {
		name  string
		token string
		want  []string
	}{
		{"unscoped token sees every cluster", e.admin, []string{"c1", "c2"}},
		{"scoped token sees its clusters", scoped, []string{"c2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/clusters", c.token, nil)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var out struct{ Clusters []clusterInfo }
			r.json(t, &out)
			var names []string
			for _, cl := range out.Clusters {
				names = append(names, cl.Name)
				if !cl.Reachable {
					t.Errorf("cluster %s not reachable: %s", cl.Name, cl.Error)
				}
			}
			if strings.Join(names, ",") != strings.Join(c.want, ",") {
				t.Fatalf("clusters %v, want %v", names, c.want)
			}
		})
	}
}

func TestGrafanaServiceTokenActsForTheEndUserWithTheLowerRole(t *testing.T) {
	e := newEnv(t, envOptions{})
	prefix := uniquePrefix(t)
	service := e.token(t, TokenSpec{Name: "grafana", Role: "admin", ActsForUsers: true})
	editorService := e.token(t, TokenSpec{Name: "grafana-editor", Role: "editor", ActsForUsers: true})
	plain := e.token(t, TokenSpec{Name: "plain", Role: "admin"})
	body := map[string]any{"key": prefix + "k", "value": "v"}
	cases := []struct {
		name     string
		token    string
		user     string
		role     string
		method   string
		path     string
		status   int
		wantUser string
		wantRole string
	}{
		{"Grafana Viewer may read", service, "alice", "Viewer", "GET", "/api/v1/clusters/c1/keys?key=a", 200, "alice", "viewer"},
		{"Grafana Viewer may not write", service, "alice", "Viewer", "PUT", "/api/v1/clusters/c1/keys", 403, "alice", "viewer"},
		{"Grafana Editor may write", service, "bob", "Editor", "PUT", "/api/v1/clusters/c1/keys", 200, "bob", "editor"},
		{"Grafana Admin may list tokens", service, "carol", "Admin", "GET", "/api/v1/tokens", 200, "carol", "admin"},
		{"Grafana Admin through an editor token is an editor", editorService, "dave", "Admin", "GET", "/api/v1/tokens", 403, "dave", "editor"},
		{"Grafana role None has no access", service, "erin", "None", "GET", "/api/v1/clusters/c1/keys?key=a", 403, "erin", "none"},
		{"a token that is not a service token may not act for users", plain, "mallory", "Admin", "GET", "/api/v1/clusters/c1/keys?key=a", 403, "plain", "admin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b any
			if c.method == "PUT" {
				b = body
			}
			r := e.call(t, c.method, c.path, c.token, b, DefaultUserHeader, c.user, DefaultRoleHeader, c.role)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			recs := e.audit(t, r.header.Get(RequestIDHeader), 1)
			for _, rec := range recs {
				if rec.User != c.wantUser || rec.Role != c.wantRole {
					t.Fatalf("audit user %q role %q, want %q %q", rec.User, rec.Role, c.wantUser, c.wantRole)
				}
			}
		})
	}
}

// The end user a service token passes is recorded and logged: a name that is too long or not
// printable text is refused (403, audited as denied under the token's own name) and written
// nowhere.
func TestGrafanaUserHeaderMustBeShortPrintableText(t *testing.T) {
	e := newEnv(t, envOptions{})
	service := e.token(t, TokenSpec{Name: "grafana", Role: "admin", ActsForUsers: true})
	cases := []struct {
		name, user string
		status     int
		want       string
	}{
		{"256 bytes is allowed", strings.Repeat("a", 256), 200, ""},
		{"non-ASCII letters are allowed", "Zoë Ünal", 200, ""},
		{"longer than 256 bytes", strings.Repeat("a", 257), 403, "X-Grafana-User: at most 256 bytes"},
		{"a tab", "alice\tadmin", 403, "X-Grafana-User: must be printable, without control characters"},
		{"not UTF-8", "bob\xff", 403, "X-Grafana-User: must be UTF-8 text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/clusters", service, nil, DefaultUserHeader, c.user, DefaultRoleHeader, "Viewer")
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			rec := e.audit(t, r.header.Get(RequestIDHeader), 1)[0]
			if c.status == 200 {
				if rec.User != c.user {
					t.Fatalf("audit user %q, want %q", rec.User, c.user)
				}
				return
			}
			if got := r.errorText(t); got != c.want {
				t.Fatalf("error %q, want %q", got, c.want)
			}
			if rec.Outcome != store.OutcomeDenied || rec.User != "grafana" {
				t.Fatalf("audit record %s user %q, want denied under the token's name", rec.Outcome, rec.User)
			}
			if strings.Contains(e.log.String(), c.user) {
				t.Fatalf("the refused user name is in the log")
			}
		})
	}
}

func TestTokensCreatedThroughTheAPIAreShownOnceAndCanBeRevoked(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			r := e.call(t, "POST", "/api/v1/tokens", e.admin, map[string]any{"name": "ci", "role": "viewer", "expires_in": "30d"})
			if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			var created createdToken
			r.json(t, &created)
			if !strings.HasPrefix(created.Secret, TokenPrefix) || created.Token.ExpiresAt.IsZero() {
				t.Fatalf("created %+v", created)
			}
			if got := e.call(t, "GET", "/api/v1/clusters", created.Secret, nil); got.status != 200 {
				t.Fatalf("new token refused: %d %s", got.status, got.body)
			}
			list := e.call(t, "GET", "/api/v1/tokens", e.admin, nil)
			if list.status != 200 || strings.Contains(string(list.body), created.Secret) || !strings.Contains(string(list.body), created.Token.ID) {
				t.Fatalf("list %d shows the secret or misses the token: %s", list.status, list.body)
			}
			if rv := e.call(t, "DELETE", "/api/v1/tokens/"+created.Token.ID, e.admin, nil); rv.status != 200 {
				t.Fatalf("revoke: %d %s", rv.status, rv.body)
			}
			if got := e.call(t, "GET", "/api/v1/clusters", created.Secret, nil); got.status != 401 {
				t.Fatalf("revoked token: %d %s", got.status, got.body)
			}
			if rv := e.call(t, "DELETE", "/api/v1/tokens/nosuchtoken", e.admin, nil); rv.status != 404 {
				t.Fatalf("revoke unknown: %d %s", rv.status, rv.body)
			}
		})
	}
}

func TestTokenCreationRefusesBadRequests(t *testing.T) {
	e := newEnv(t, envOptions{})
	scopedAdmin := e.token(t, TokenSpec{Name: "scoped-admin", Role: "admin", Clusters: []string{"c1"}})
	cases := []struct {
		name   string
		token  string
		body   string
		status int
		want   string
	}{
		{"unknown role", e.admin, `{"name":"x","role":"root"}`, 400, `role "root": want viewer, editor or admin`},
		{"empty name", e.admin, `{"name":"","role":"viewer"}`, 400, "name: must not be empty"},
		{"unknown field", e.admin, `{"name":"x","role":"viewer","rol":"admin"}`, 400, `unknown field "rol"`},
		{"unknown cluster", e.admin, `{"name":"x","role":"viewer","clusters":["zz"]}`, 400, `clusters[0]: no cluster "zz"`},
		{"bad expiry", e.admin, `{"name":"x","role":"viewer","expires_in":"soon"}`, 400, "expires_in: want a positive duration"},
		{"malformed JSON", e.admin, `{"name":`, 400, "truncated JSON"},
		{"scoped admin may not mint an unscoped token", scopedAdmin, `{"name":"x","role":"viewer"}`, 403, "the new token is for all clusters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "POST", "/api/v1/tokens", c.token, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if got := r.errorText(t); !strings.Contains(got, c.want) {
				t.Fatalf("error %q does not contain %q", got, c.want)
			}
		})
	}
}

func TestBootstrapTokenComesFromTheFileOnFirstStartOnly(t *testing.T) {
	cases := []struct {
		name        string
		fileContent string // empty: no file
		storeTokens bool
		wantCreated bool
	}{
		{"no file: a token is generated and written", "", false, true},
		{"file given: its token is used", "emt_given-bootstrap-token-0123456789", false, true},
		{"store has tokens: the file is ignored", "emt_given-bootstrap-token-0123456789", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := openStore(t, boltStore)
			path := filepath.Join(t.TempDir(), "bootstrap-token")
			if c.fileContent != "" {
				if err := os.WriteFile(path, []byte(c.fileContent+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if c.storeTokens {
				if _, _, err := CreateToken(context.Background(), st, TokenSpec{Name: "existing", Role: "viewer"}); err != nil {
					t.Fatal(err)
				}
			}
			created, err := tokens.Bootstrap(context.Background(), st, path)
			if err != nil || created != c.wantCreated {
				t.Fatalf("bootstrap: created %t, err %v; want created %t", created, err, c.wantCreated)
			}
			if !c.wantCreated {
				return
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
			}
			tok, err := st.TokenBySecretHash(context.Background(), store.HashSecret(strings.TrimSpace(string(raw))))
			if err != nil || tok.Role != "admin" || tok.Name != "bootstrap-admin" {
				t.Fatalf("bootstrap token in store: %+v, %v", tok, err)
			}
		})
	}
}

func TestSecretsNeverShowInLogsAuditOrAnswers(t *testing.T) {
	e := newEnv(t, envOptions{store: postgresStore})
	prefix := uniquePrefix(t)
	viewer := e.token(t, TokenSpec{Name: "vera", Role: "viewer"})
	r := e.call(t, "POST", "/api/v1/tokens", e.admin, map[string]any{"name": "new", "role": "editor"})
	var created createdToken
	r.json(t, &created)
	secrets := []string{e.admin, viewer, created.Secret}
	// A mix of allowed, refused and failed requests, each carrying a secret somewhere.
	e.call(t, "PUT", "/api/v1/clusters/c1/keys", created.Secret, map[string]any{"key": prefix + "a", "value": "top-secret-value"})
	e.call(t, "PUT", "/api/v1/clusters/c1/keys", viewer, map[string]any{"key": prefix + "a", "value": "v"})
	e.call(t, "GET", "/api/v1/tokens", viewer, nil)
	e.call(t, "GET", "/api/v1/clusters/c1/keys?key="+url.QueryEscape(prefix+"a"), viewer, nil)
	e.call(t, "GET", "/api/v1/clusters", viewer+"x", nil)
	list := e.call(t, "GET", "/api/v1/tokens", e.admin, nil)
	e.call(t, "DELETE", "/api/v1/tokens/"+created.Token.ID, e.admin, nil)
	// Reads are recorded just after their answer: wait for the last one.
	e.audit(t, list.header.Get(RequestIDHeader), 1)
	e.close()
	recs, err := json.Marshal(e.allAudit(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(e.log.String(), s) {
			t.Errorf("a token secret is in the log")
		}
		if strings.Contains(string(recs), s) {
			t.Errorf("a token secret is in the audit log")
		}
		if strings.Contains(string(list.body), s) {
			t.Errorf("a token secret is in the token list")
		}
	}
	if strings.Contains(string(recs), "top-secret-value") {
		t.Errorf("a value is in the audit log")
	}
}

func TestUnknownPathsAndMethodsAnswerJSON(t *testing.T) {
	e := newEnv(t, envOptions{})
	cases := []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v1/nothing", 404},
		{"PATCH", "/api/v1/clusters", 405},
		{"POST", "/api/v1/clusters/c1/keys", 405},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			r := e.call(t, c.method, c.path, e.admin, nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d", r.status, c.status)
			}
			r.errorText(t)
		})
	}
}

// The server always gives a request its own id (answered, and the records' request_id); a
// client's id is kept beside it and echoed, never used in its place.
func TestRequestIDIsTheServersAndTheClientsIsKeptBeside(t *testing.T) {
	e := newEnv(t, envOptions{})
	cases := []struct {
		name, clientID, wantClient string
	}{
		{"client id is kept beside the server's", "my-req.1", "my-req.1"},
		{"invalid client id is dropped", "bad id with spaces", ""},
		{"no client id", "", ""},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/clusters", e.admin, nil, RequestIDHeader, c.clientID)
			id := r.header.Get(RequestIDHeader)
			if id == "" || id == c.clientID || seen[id] {
				t.Fatalf("request id %q: want a fresh server id", id)
			}
			seen[id] = true
			if got := r.header.Get(ClientRequestIDHeader); got != c.wantClient {
				t.Fatalf("%s %q, want %q", ClientRequestIDHeader, got, c.wantClient)
			}
			if rec := e.audit(t, id, 1)[0]; rec.ClientRequestID != c.wantClient {
				t.Fatalf("record's client_request_id %q, want %q", rec.ClientRequestID, c.wantClient)
			}
		})
	}
}

// A service token with an entry in auth.grafana.service_tokens serves one Grafana org and gives
// each org role what the entry grants, within the token: the Editor writes only under its
// granted prefix, a request for another org is refused and audited, and a Grafana Admin
// manages only tokens within the prefixes granted to it.
func TestGrafanaServiceTokenMappingGrantsPerOrgRoleWithinTheToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	prefix := uniquePrefix(t)
	secret, tok, err := e.srv.CreateToken(context.Background(), TokenSpec{Name: "grafana-org-2", Role: "admin", ActsForUsers: true, KeyPrefixes: []string{prefix}, CreatedBy: "test"})
	if err != nil {
		t.Fatal(err)
	}
	writeConfig(t, e.configDir, clusterEntry("c1", e.etcd), fmt.Sprintf(`auth:
  grafana:
    service_tokens:
      - token_id: %s
        org_id: 2
        roles:
          Editor: {role: editor, key_prefixes: [%q]}
          Admin: {role: admin, key_prefixes: [%q]}
`, tok.ID, prefix+"team-a/", prefix+"team-a/"))
	if r, a := e.reload(t); r.status != 200 || a.Status != "reloaded" {
		t.Fatalf("reload: %d %s", r.status, r.body)
	}
	as := func(user, role, org string) []string {
		return []string{DefaultUserHeader, user, DefaultRoleHeader, role, DefaultOrgHeader, org}
	}
	put := func(key string) map[string]any { return map[string]any{"key": key, "value": "v"} }
	cases := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
		want    string
	}{
		{"Editor writes under the granted prefix", "PUT", "/api/v1/clusters/c1/keys", put(prefix + "team-a/x"), as("bob", "Editor", "2"), 200, ""},
		{"Editor may not write elsewhere under the token's prefix", "PUT", "/api/v1/clusters/c1/keys", put(prefix + "team-b/x"), as("bob", "Editor", "2"), 403, "key range is outside the key prefixes the Grafana org role is granted through token " + tok.ID + " (" + prefix + "team-a/)"},
		{"Viewer keeps the default", "GET", "/api/v1/clusters/c1/keys?key=a", nil, as("alice", "Viewer", "2"), 200, ""},
		{"another org is refused", "GET", "/api/v1/clusters/c1/keys?key=a", nil, as("mallory", "Admin", "1"), 403, fmt.Sprintf("token %s serves Grafana org 2, not org \"1\" (X-Grafana-Org-Id)", tok.ID)},
		{"no org is refused", "GET", "/api/v1/clusters/c1/keys?key=a", nil, as("mallory", "Admin", ""), 403, "serves Grafana org 2"},
		{"Admin creates a token within its grant", "POST", "/api/v1/tokens", map[string]any{"name": "t1", "role": "editor", "key_prefixes": []string{prefix + "team-a/x/"}}, as("carol", "Admin", "2"), 201, ""},
		{"Admin may not create a token beyond its grant", "POST", "/api/v1/tokens", map[string]any{"name": "t2", "role": "editor", "key_prefixes": []string{prefix + "team-b/"}}, as("carol", "Admin", "2"), 403, "outside the managing token's key prefixes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, c.method, c.path, secret, c.body, c.headers...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.want != "" && !strings.Contains(r.errorText(t), c.want) {
				t.Fatalf("error %q, want it to contain %q", r.errorText(t), c.want)
			}
			rec := e.audit(t, r.header.Get(RequestIDHeader), 1)[0]
			if c.status == 403 && rec.Outcome != store.OutcomeDenied {
				t.Fatalf("refusal audited as %s", rec.Outcome)
			}
			if strings.Contains(string(r.body), secret) || strings.Contains(e.log.String(), secret) {
				t.Fatal("the service token's secret was echoed")
			}
		})
	}
}
