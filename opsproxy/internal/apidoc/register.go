package apidoc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Paths of the document.
const (
	YAMLPath = "/api/v1/openapi.yaml"
	JSONPath = "/api/v1/openapi.json"
)

// Register adds the two document routes to co. They need no token: the document describes the
// API that any copy of etcd-monitor serves (it is in the public repository), holds nothing of
// this deployment (no cluster, user, token or address but the example server), and tools such
// as code generators and Swagger UI fetch it without credentials. Nothing is audited: no
// operation is reached.
func Register(co *core.Core, spec []byte) {
	d := &document{yaml: spec}
	co.Unauthenticated("GET "+YAMLPath, "api.openapi_yaml", http.HandlerFunc(d.serveYAML))
	co.Unauthenticated("GET "+JSONPath, "api.openapi_json", http.HandlerFunc(d.serveJSON))
}

// document is the YAML as embedded and its JSON form, converted once on first request.
type document struct {
	yaml    []byte
	once    sync.Once
	json    []byte
	jsonErr error
}

func (d *document) serveYAML(w http.ResponseWriter, r *http.Request) {
	serve(w, r, "application/yaml", d.yaml)
}

func (d *document) serveJSON(w http.ResponseWriter, r *http.Request) {
	d.once.Do(func() { d.json, d.jsonErr = ToJSON(d.yaml) })
	if d.jsonErr != nil {
		apihttp.WriteError(w, r, apihttp.Errorf(http.StatusInternalServerError, "openapi document: %v", d.jsonErr))
		return
	}
	serve(w, r, "application/json", d.json)
}

// serve answers with body and a strong ETag, so that a client may revalidate (If-None-Match).
func serve(w http.ResponseWriter, r *http.Request, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// ToJSON converts the YAML document to JSON (YAML mappings with non-string keys are refused).
func ToJSON(doc []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("parse yaml: %w", err)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode json: %w", err)
	}
	return out, nil
}
