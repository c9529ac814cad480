package kubernetes

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const repoRoot = "../.."

// TestGeneratedManifestsMatchRulesAndDashboards fails when rules/*.yml or dashboards/json
// changed without `make kubernetes`.
func TestGeneratedManifestsMatchRulesAndDashboards(t *testing.T) {
	files, err := Generate(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatalf("%v (run make kubernetes)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what rules/ and dashboards/json make of it: run make kubernetes", name)
		}
	}
}

// TestPrometheusRulesSayWhatTheRuleFilesSay compares the rendered PrometheusRules' groups with
// the rule files, decoded: the embedding kept every expression, label and annotation.
func TestPrometheusRulesSayWhatTheRuleFilesSay(t *testing.T) {
	got := map[string]any{}
	for _, o := range render(t, baseDir) {
		if o.Kind != "PrometheusRule" {
			continue
		}
		var spec map[string]any
		if err := json.Unmarshal(o.Spec, &spec); err != nil {
			t.Fatal(err)
		}
		got[strings.TrimPrefix(o.Metadata.Name, "etcd-monitor-")+".yml"] = spec["groups"]
	}
	files, _ := filepath.Glob(filepath.Join(repoRoot, "rules", "*.yml"))
	if len(files) == 0 || len(got) != len(files) {
		t.Fatalf("%d PrometheusRules for %d rule files", len(got), len(files))
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var file map[string]any
		if err := yaml.Unmarshal(text, &file); err != nil {
			t.Fatal(err)
		}
		want := roundTrip(t, file["groups"])
		if !reflect.DeepEqual(roundTrip(t, got[filepath.Base(f)]), want) {
			t.Errorf("PrometheusRule of %s: groups differ from the file's", f)
		}
	}
}

// TestDashboardConfigMapsCarryEachDashboardForTheSidecar: one ConfigMap per dashboard, labelled
// for Grafana's dashboard sidecar, holding the JSON as it is.
func TestDashboardConfigMapsCarryEachDashboardForTheSidecar(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repoRoot, "dashboards", "json", "*.json"))
	found := 0
	for _, o := range render(t, baseDir) {
		if o.Kind != "ConfigMap" || o.Metadata.Labels["app.kubernetes.io/component"] != "dashboards" {
			continue
		}
		found++
		if o.Metadata.Labels[DashboardLabel] != "1" {
			t.Errorf("%s: label %s=%q, want \"1\"", o.ref(), DashboardLabel, o.Metadata.Labels[DashboardLabel])
		}
		if len(o.Data) != 1 {
			t.Errorf("%s: %d keys, want one dashboard", o.ref(), len(o.Data))
		}
		for key, text := range o.Data {
			want, err := os.ReadFile(filepath.Join(repoRoot, "dashboards", "json", key))
			if err != nil {
				t.Errorf("%s: key %s: %v", o.ref(), key, err)
				continue
			}
			if strings.TrimRight(text, "\n") != strings.TrimRight(string(want), "\n") {
				t.Errorf("%s: %s differs from dashboards/json/%s", o.ref(), key, key)
			}
			if !json.Valid([]byte(text)) {
				t.Errorf("%s: %s is not JSON", o.ref(), key)
			}
		}
	}
	if found != len(files) || found == 0 {
		t.Errorf("%d dashboard ConfigMaps for %d dashboards", found, len(files))
	}
}

func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateRejectsMissingOrMalformedSources(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no rule files", map[string]string{"dashboards/json/a.json": "{}"}, "rules/*.yml: no files under"},
		{"no dashboards", map[string]string{"rules/a.yml": "groups: []\n"}, "dashboards/json/*.json: no files under"},
		{"rule file without groups", map[string]string{"rules/a.yml": "# header\nrules: []\n", "dashboards/json/a.json": "{}"},
			"rules/a.yml: want a rule file whose first key is groups"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, text := range tc.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Generate(root)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
