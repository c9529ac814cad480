package composetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// promConfig is the part of prometheus.yml these tests read.
type promConfig struct {
	RuleFiles []string `yaml:"rule_files"`
	Alerting  struct {
		Alertmanagers []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	ScrapeConfigs []struct {
		JobName     string `yaml:"job_name"`
		MetricsPath string `yaml:"metrics_path"`
		BasicAuth   struct {
			Username     string `yaml:"username"`
			PasswordFile string `yaml:"password_file"`
		} `yaml:"basic_auth"`
		StaticConfigs []struct {
			Targets []string          `yaml:"targets"`
			Labels  map[string]string `yaml:"labels"`
		} `yaml:"static_configs"`
		RelabelConfigs []struct {
			SourceLabels []string `yaml:"source_labels"`
			TargetLabel  string   `yaml:"target_label"`
			Replacement  string   `yaml:"replacement"`
		} `yaml:"relabel_configs"`
	} `yaml:"scrape_configs"`
}

// TestPrometheusConfigPassesPromtoolWithTheRules runs promtool check config on the mounted
// prometheus.yml with its rule_files pointed where the container finds them, the repository's
// rules/, and its secrets (the disk agents' scrape password) where init-secrets.sh writes them.
func TestPrometheusConfigPassesPromtoolWithTheRules(t *testing.T) {
	promtool := needTool(t, "promtool", "prometheus")
	p := loadProject(t)
	s := service(t, p, "prometheus")
	file, _ := flagValue(s.Command, "config.file")
	withSecrets, _ := configWithSecretsHere(t, p, s, file)
	b, err := os.ReadFile(withSecrets)
	if err != nil {
		t.Fatal(err)
	}
	var cfg promConfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.RuleFiles) == 0 {
		t.Fatal("prometheus.yml loads no rule files")
	}
	text := string(b)
	var wantRules []string
	for _, glob := range cfg.RuleFiles {
		dir := hostPath(s, filepath.Dir(glob))
		if dir != filepath.Join(root, "rules") {
			t.Fatalf("rule_files %s: %s is mounted from %q, want rules/", glob, filepath.Dir(glob), dir)
		}
		text = strings.ReplaceAll(text, glob, filepath.Join(dir, filepath.Base(glob)))
		m, _ := filepath.Glob(filepath.Join(dir, filepath.Base(glob)))
		wantRules = append(wantRules, m...)
	}
	if len(wantRules) < 3 {
		t.Fatalf("rule_files match %v: want rules/*.yml", wantRules)
	}
	copyPath := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(copyPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(promtool, "check", "config", copyPath).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
	for _, r := range wantRules {
		if !strings.Contains(string(out), "SUCCESS") || !strings.Contains(string(out), r) {
			t.Errorf("promtool did not check %s:\n%s", r, out)
		}
	}
	if strings.Contains(string(out), "0 rules found") {
		t.Errorf("a rule file has no rules:\n%s", out)
	}
}

func TestPrometheusScrapesEveryPartOfTheStack(t *testing.T) {
	p := loadProject(t)
	cfg := composePrometheusConfig(t, p)
	targets := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets[sc.JobName] = append(targets[sc.JobName], st.Targets...)
		}
	}
	// etcd's own metrics, labelled with the cluster the exporter names.
	members := etcdMembers(t, p)
	if len(targets["etcd"]) != len(members) {
		t.Errorf("job etcd scrapes %v, the members are %v", targets["etcd"], members)
	}
	for _, tg := range targets["etcd"] {
		if _, ok := members[strings.TrimSuffix(tg, ":2379")]; !ok {
			t.Errorf("job etcd scrapes %s, which is no etcd member", tg)
		}
	}
	// The exporter through /probe, the README's multi-target relabeling.
	var probe bool
	for _, sc := range cfg.ScrapeConfigs {
		if sc.JobName != "etcd-monitor" {
			continue
		}
		probe = sc.MetricsPath == "/probe"
		var toParam, toAddr bool
		for _, rc := range sc.RelabelConfigs {
			toParam = toParam || (rc.TargetLabel == "__param_target" && len(rc.SourceLabels) == 1 && rc.SourceLabels[0] == "__address__")
			toAddr = toAddr || (rc.TargetLabel == "__address__" && rc.Replacement == "exporter:"+ourServices["exporter"])
		}
		if !toParam || !toAddr {
			t.Errorf("job etcd-monitor: want __address__ → __param_target and __address__ = exporter:%s", ourServices["exporter"])
		}
	}
	if !probe {
		t.Error("no job etcd-monitor scraping the exporter's /probe")
	}
	for job, svc := range map[string]string{"opsproxy": "opsproxy", "opsproxy-worker": "worker"} {
		want := svc + ":" + ourServices[svc]
		if len(targets[job]) != 1 || targets[job][0] != want {
			t.Errorf("job %s scrapes %v, want [%s]", job, targets[job], want)
		}
		if addr, _ := flagValue(service(t, p, svc).Command, "web.listen-address"); addr != ":"+ourServices[svc] {
			t.Errorf("%s listens on %q, Prometheus scrapes %s", svc, addr, want)
		}
	}
	// The diskprobe agents, labelled as the disk alerts and the dashboard read them: the job
	// matches the rules' .*diskprobe.* and not their etcd selector (README).
	agents := map[string]string{}
	for _, sc := range cfg.ScrapeConfigs {
		if sc.JobName != "diskprobe" {
			continue
		}
		if sc.BasicAuth.Username != "prometheus" || secretFileOf(p, service(t, p, "prometheus"), sc.BasicAuth.PasswordFile) != "diskprobe-prometheus-password" {
			t.Errorf("job diskprobe: basic_auth %+v, want user prometheus with the password of the secret diskprobe-prometheus-password", sc.BasicAuth)
		}
		for _, st := range sc.StaticConfigs {
			for _, tg := range st.Targets {
				agents[tg] = st.Labels["cluster"] + "/" + st.Labels["member"]
			}
		}
	}
	want := map[string]string{}
	for agent, member := range diskAgents {
		want[agent+":"+diskAgentPort] = "compose/" + member
	}
	if fmt.Sprint(agents) != fmt.Sprint(want) {
		t.Errorf("job diskprobe scrapes %v (target: cluster/member), want %v", agents, want)
	}
	if len(cfg.Alerting.Alertmanagers) != 1 || cfg.Alerting.Alertmanagers[0].StaticConfigs[0].Targets[0] != "alertmanager:9093" {
		t.Errorf("alerting: want alertmanager:9093")
	}
}

// TestEachScrapeJobMatchesOnlyItsRulesSelector: the rules tell etcd's members, the exporter,
// opsproxy and the diskprobe agents apart by job name (rules/config/settings.yml); each job of
// prometheus.yml must be matched by its own selector and by no other (an agent counted as an
// etcd member would hide a member that is down).
func TestEachScrapeJobMatchesOnlyItsRulesSelector(t *testing.T) {
	var settings map[string]any
	if err := yaml.Unmarshal([]byte(readFile(t, "rules/config/settings.yml")), &settings); err != nil {
		t.Fatal(err)
	}
	selectors := map[string][]*labels.Matcher{}
	for key, v := range settings {
		if !strings.HasSuffix(key, "_selector") {
			continue
		}
		m, err := parser.NewParser(parser.Options{}).ParseMetricSelector("{" + v.(string) + "}")
		if err != nil {
			t.Fatalf("settings.yml %s: %v", key, err)
		}
		selectors[key] = m
	}
	want := map[string]string{"etcd": "etcd_selector", "etcd-monitor": "exporter_selector", "opsproxy": "opsproxy_selector",
		"opsproxy-worker": "opsproxy_selector", "diskprobe": "diskprobe_selector"}
	cfg := composePrometheusConfig(t, loadProject(t))
	for _, sc := range cfg.ScrapeConfigs {
		var matched []string
		for key, ms := range selectors {
			if !slices.ContainsFunc(ms, func(m *labels.Matcher) bool { return m.Name == "job" && !m.Matches(sc.JobName) }) {
				matched = append(matched, key)
			}
		}
		if w, ok := want[sc.JobName]; !ok || len(matched) != 1 || matched[0] != w {
			t.Errorf("job %s is matched by %v, want only %q", sc.JobName, matched, want[sc.JobName])
		}
	}
}

// composePrometheusConfig is the configuration file the prometheus service's --config.file names.
func composePrometheusConfig(t *testing.T, p *types.Project) promConfig {
	t.Helper()
	s := service(t, p, "prometheus")
	file, _ := flagValue(s.Command, "config.file")
	b, err := os.ReadFile(hostPath(s, file))
	if err != nil {
		t.Fatal(err)
	}
	var cfg promConfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}
