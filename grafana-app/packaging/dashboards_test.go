package packaging

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPluginJSONIncludesEveryRenderedDashboard checks that src/plugin.json's includes of type
// dashboard are exactly the dashboards `make dashboards` renders to dashboards/json (which the
// webpack build copies to dist/dashboards), each under its title.
func TestPluginJSONIncludesEveryRenderedDashboard(t *testing.T) {
	raw, err := os.ReadFile("../src/plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	var p pluginJSON
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatalf("src/plugin.json: %v", err)
	}
	included := map[string]string{}
	for _, inc := range p.Includes {
		if inc.Type == "dashboard" {
			included[inc.Path] = inc.Name
		}
	}

	files, err := filepath.Glob("../../dashboards/json/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no dashboards in dashboards/json")
	}
	var rendered []string
	for _, f := range files {
		path := "dashboards/" + filepath.Base(f)
		rendered = append(rendered, path)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Title string `json:"title"`
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name, ok := included[path]
		switch {
		case !ok:
			t.Errorf("src/plugin.json has no include of type dashboard with path %q", path)
		case name != d.Title:
			t.Errorf("src/plugin.json include %q: name differs from the dashboard's title %q", name, d.Title)
		}
	}
	for path := range included {
		if !slices.Contains(rendered, path) {
			t.Errorf("src/plugin.json includes dashboard %q, which dashboards/json does not hold", path)
		}
	}
}
