package opsproxy

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
)

// The OpenAPI file describes exactly the registered routes, each with the audit operation
// name as its operationId.
func TestOpenAPIFileMatchesTheRegisteredRoutes(t *testing.T) {
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			fields, ok := op.(map[any]any)
			if !ok {
				t.Fatalf("%s %s is not an operation object", method, path)
			}
			documented = append(documented, fmt.Sprintf("%s %s %v", strings.ToUpper(method), path, fields["operationId"]))
		}
	}
	e := newEnv(t, envOptions{})
	var registered []string
	for _, r := range e.srv.Routes() {
		registered = append(registered, fmt.Sprintf("%s %s %s", r.Method, r.Path, r.Operation))
	}
	slices.Sort(documented)
	slices.Sort(registered)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("registered but not in openapi.yaml: %s", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("in openapi.yaml but not registered: %s", d)
		}
	}
}
