package rules

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const settingsFile = "config/settings.yml"

var ruleFiles = []string{MixinAlertsFile, MonitorAlertsFile, RecordingFile}

// promtool returns the path of promtool, failing the test when it is missing: `make test`
// installs it (scripts/install-test-deps.sh), so a missing promtool is a broken setup.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool not found (install it with `bash scripts/install-test-deps.sh`): %v", err)
	}
	return p
}

func loadAlertRules(t *testing.T) []Rule {
	t.Helper()
	var out []Rule
	for _, f := range []string{MixinAlertsFile, MonitorAlertsFile} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rf RuleFile
		if err := yaml.Unmarshal(b, &rf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range rf.Groups {
			out = append(out, g.Rules...)
		}
	}
	if len(out) == 0 {
		t.Fatal("no alerting rules found")
	}
	return out
}

func TestCommittedRuleFilesMatchSettings(t *testing.T) {
	cfg, err := LoadConfig(settingsFile)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(ruleFiles) {
		t.Fatalf("generated %d files, want %d", len(files), len(ruleFiles))
	}
	for _, name := range ruleFiles {
		committed, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(committed, files[name]) {
			t.Errorf("%s differs from what %s generates; run `go run ./rules/gen` from the repository root", name, settingsFile)
		}
	}
}

func TestPromtoolCheckRulesAcceptsRuleFiles(t *testing.T) {
	out, err := exec.Command(promtool(t), append([]string{"check", "rules"}, ruleFiles...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

func TestPromtoolUnitTestsPass(t *testing.T) {
	tests, err := filepath.Glob("tests/*.test.yml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no promtool tests found: %v", err)
	}
	out, err := exec.Command(promtool(t), append([]string{"test", "rules"}, tests...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
}

func TestEveryAlertHasForSeverityScopeAndAnnotations(t *testing.T) {
	cfg, err := LoadConfig(settingsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range loadAlertRules(t) {
		t.Run(r.Alert+"/"+r.Labels["severity"], func(t *testing.T) {
			if r.For == "" {
				t.Error("no for:")
			}
			if !slices.Contains(Severities, r.Labels["severity"]) {
				t.Errorf("severity %q, want one of %v", r.Labels["severity"], Severities)
			}
			if s := r.Labels["scope"]; s != "member" && s != "cluster" && s != "service" {
				t.Errorf("scope %q, want member, cluster or service", s)
			}
			for _, a := range []string{"summary", "description"} {
				text := r.Annotations[a]
				// A service (opsproxy) serves many clusters: its alerts name the instance.
				if r.Labels["scope"] == "service" {
					if !strings.Contains(text, "$labels.instance") {
						t.Errorf("%s of a service alert does not name the instance: %q", a, text)
					}
					continue
				}
				if !strings.Contains(text, "$labels.cluster") {
					t.Errorf("%s does not name the cluster: %q", a, text)
				}
				// etcdMembersDown counts members of the cluster, as the mixin's does.
				if r.Labels["scope"] == "member" && r.Alert != "etcdMembersDown" &&
					!strings.Contains(text, "$labels.instance") && !strings.Contains(text, "$labels.endpoint") &&
					!strings.Contains(text, "$labels.member_id") {
					t.Errorf("%s of a member-level alert does not name the member: %q", a, text)
				}
			}
			want := cfg.RunbookBaseURL + "#" + strings.ToLower(r.Alert)
			if got := r.Annotations["runbook_url"]; got != want {
				t.Errorf("runbook_url %q, want %q", got, want)
			}
		})
	}
}

func TestRunbooksHaveASectionPerAlert(t *testing.T) {
	b, err := os.ReadFile("../docs/runbooks.md")
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			headings[strings.TrimSpace(h)] = true
		}
	}
	for _, r := range loadAlertRules(t) {
		if !headings[r.Alert] {
			t.Errorf("docs/runbooks.md has no section \"## %s\" (anchor #%s)", r.Alert, strings.ToLower(r.Alert))
		}
	}
	for _, part := range []string{"Meaning", "Impact", "Diagnosis", "Mitigation"} {
		if n, want := strings.Count(string(b), "### "+part+"\n"), len(headings); n < want-1 {
			t.Errorf("docs/runbooks.md has %d \"### %s\" subsections for %d sections", n, part, want)
		}
	}
}

// promtoolTests is the part of a promtool test file this package checks for coverage.
type promtoolTests struct {
	Tests []struct {
		AlertRuleTest []struct {
			EvalTime  string `yaml:"eval_time"`
			Alertname string `yaml:"alertname"`
			ExpAlerts []struct {
				ExpLabels map[string]string `yaml:"exp_labels"`
			} `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

func TestEveryAlertHasFiringAndSilentPromtoolCases(t *testing.T) {
	files, err := filepath.Glob("tests/*.test.yml")
	if err != nil {
		t.Fatal(err)
	}
	fires := map[string]bool{} // alertname/severity
	silent := map[string]int{} // alertname
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var pt promtoolTests
		if err := yaml.Unmarshal(b, &pt); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range pt.Tests {
			for _, c := range g.AlertRuleTest {
				if len(c.ExpAlerts) == 0 {
					silent[c.Alertname]++
				}
				for _, a := range c.ExpAlerts {
					fires[c.Alertname+"/"+a.ExpLabels["severity"]] = true
				}
			}
		}
	}
	for _, r := range loadAlertRules(t) {
		key := fmt.Sprintf("%s/%s", r.Alert, r.Labels["severity"])
		if !fires[key] {
			t.Errorf("%s: no promtool case where it fires", key)
		}
		// One on healthy data and one inside for:, per rule of that name.
		if silent[r.Alert] < 2 {
			t.Errorf("%s: %d promtool cases where it must not fire, want at least 2", r.Alert, silent[r.Alert])
		}
	}
}
