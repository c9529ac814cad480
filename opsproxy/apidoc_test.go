package opsproxy

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The served document is the embedded openapi.yaml, byte for byte, and the JSON form holds the
// same paths; neither needs a token.
func TestOpenAPIDocumentIsServedWithoutAToken(t *testing.T) {
	e := newEnv(t, envOptions{})
	file, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := e.call(t, "GET", "/api/v1/openapi.yaml", "", nil)
	if r.status != http.StatusOK || !bytes.Equal(r.body, file) {
		t.Fatalf("GET /api/v1/openapi.yaml: %d, %d bytes, want 200 and openapi.yaml (%d bytes)", r.status, len(r.body), len(file))
	}
	if ct := r.header.Get("Content-Type"); ct != "application/yaml" {
		t.Errorf("yaml Content-Type %q", ct)
	}
	var fromYAML struct {
		Paths map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(file, &fromYAML); err != nil {
		t.Fatal(err)
	}
	j := e.call(t, "GET", "/api/v1/openapi.json", "", nil)
	if j.status != http.StatusOK || j.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", j.status, j.header.Get("Content-Type"))
	}
	var fromJSON struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	j.json(t, &fromJSON)
	if !strings.HasPrefix(fromJSON.OpenAPI, "3.") || len(fromJSON.Paths) != len(fromYAML.Paths) {
		t.Fatalf("json document: openapi %q, %d paths; yaml has %d", fromJSON.OpenAPI, len(fromJSON.Paths), len(fromYAML.Paths))
	}
	for _, p := range []string{"/api/v1/openapi.yaml", "/api/v1/openapi.json"} {
		if _, ok := fromJSON.Paths[p]; !ok {
			t.Errorf("the document does not describe %s", p)
		}
	}
}

// A token of any kind changes nothing: a viewer scoped to another cluster, a malformed
// token and a revoked one all get the public document (no 401 that would tell which tokens
// exist), and nothing of the request comes back.
func TestOpenAPIDocumentIgnoresTokensOfAnyScope(t *testing.T) {
	e := newEnv(t, envOptions{})
	elsewhere := e.token(t, TokenSpec{Name: "elsewhere", Role: "viewer", Clusters: []string{"other"}})
	for name, tok := range map[string]string{
		"scoped to another cluster": elsewhere,
		"malformed":                 "not-a-token",
		"admin":                     e.admin,
	} {
		r := e.call(t, "GET", "/api/v1/openapi.yaml", tok, nil)
		if r.status != http.StatusOK {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
		if bytes.Contains(r.body, []byte(tok)) {
			t.Errorf("%s: the answer holds the token", name)
		}
	}
}

// The document is read-only: other methods are 405 with a JSON body and Allow, whatever the
// size of the body sent; If-None-Match with the ETag is 304.
func TestOpenAPIDocumentRefusesWritesAndRevalidates(t *testing.T) {
	e := newEnv(t, envOptions{})
	huge := strings.Repeat("x", 8<<20)
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		r := e.call(t, m, "/api/v1/openapi.json", e.admin, huge)
		if r.status != http.StatusMethodNotAllowed || !strings.Contains(r.header.Get("Allow"), "GET") {
			t.Errorf("%s: %d Allow=%q, want 405 with Allow GET", m, r.status, r.header.Get("Allow"))
			continue
		}
		if msg := r.errorText(t); !strings.Contains(msg, "not allowed") {
			t.Errorf("%s: error %q", m, msg)
		}
	}
	first := e.call(t, "GET", "/api/v1/openapi.yaml", "", nil)
	etag := first.header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	again := e.call(t, "GET", "/api/v1/openapi.yaml", "", nil, "If-None-Match", etag)
	if again.status != http.StatusNotModified || len(again.body) != 0 {
		t.Errorf("If-None-Match: %d with %d bytes, want 304 and no body", again.status, len(again.body))
	}
	long := e.call(t, "GET", "/api/v1/openapi.json?"+strings.Repeat("a=b&", 1000), "", nil)
	if long.status != http.StatusOK || !json.Valid(long.body) {
		t.Errorf("a long query string: %d", long.status)
	}
}

// The document depends on nothing: with the history store gone it is still served, while the
// API's writes are refused.
func TestOpenAPIDocumentIsServedWhileTheStoreIsDown(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st})
	e.storeDown(t, p)
	for _, path := range []string{"/api/v1/openapi.yaml", "/api/v1/openapi.json"} {
		if r := e.call(t, "GET", path, "", nil); r.status != http.StatusOK {
			t.Errorf("%s with the store down: %d %s", path, r.status, r.body)
		}
	}
}
