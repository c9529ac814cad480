package alertmanager

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// amtool returns the path of amtool, failing the test when it is missing: `make test` installs
// it (Debian package prometheus-alertmanager), so a missing amtool is a broken setup.
func amtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("amtool")
	if err != nil {
		t.Fatalf("amtool not found (install it with `bash scripts/install-test-deps.sh`): %v", err)
	}
	return p
}

func runAmtool(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(amtool(t), args...).CombinedOutput()
	return string(out), err
}

// overlaid writes the config with local endpoints and secret files into a temporary directory
// and returns its path and the secrets it wrote.
func overlaid(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	secrets := map[string]string{
		"smtp-password":         "smtp-secret-3f9a",
		"slack-webhook-url":     "http://127.0.0.1:1/services/T/B/slack-secret-77c1",
		"pagerduty-routing-key": "pd-secret-0123456789abcdef012345",
	}
	for name, v := range secrets {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := filepath.Abs("templates")
	if err != nil {
		t.Fatal(err)
	}
	noTLS := false
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := WriteOverlay("alertmanager.yml", cfg, Overrides{
		SMTPSmarthost:           "127.0.0.1:2525",
		SMTPRequireTLS:          &noTLS,
		SMTPAuthPasswordFile:    filepath.Join(dir, "smtp-password"),
		SlackAPIURLFile:         filepath.Join(dir, "slack-webhook-url"),
		PagerDutyURL:            "http://127.0.0.1:1/v2/enqueue",
		PagerDutyRoutingKeyFile: filepath.Join(dir, "pagerduty-routing-key"),
		TemplatesGlob:           filepath.Join(tmpl, "*.tmpl"),
	}); err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, v := range secrets {
		vals = append(vals, v)
	}
	return cfg, vals
}

func TestAmtoolCheckConfigAcceptsShippedAndOverlaidConfig(t *testing.T) {
	cfg, secrets := overlaid(t)
	for _, tc := range []struct{ name, file string }{
		{"shipped", "alertmanager.yml"},
		{"overlaid", cfg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runAmtool(t, "check-config", tc.file)
			if err != nil {
				t.Fatalf("amtool check-config: %v\n%s", err, out)
			}
			if !strings.Contains(out, "4 templates") && !strings.Contains(out, "1 templates") {
				t.Errorf("templates not loaded:\n%s", out)
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("amtool output shows a secret file's content:\n%s", out)
				}
			}
		})
	}
}

func TestOverlayReplacesEndpointsAndSecretFilesOnly(t *testing.T) {
	cfg, _ := overlaid(t)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{"smtp_smarthost: 127.0.0.1:2525", "smtp_require_tls: false", "pagerduty_url: http://127.0.0.1:1/v2/enqueue", "slack-webhook-url", "pagerduty-routing-key", "smtp-password"} {
		if !strings.Contains(got, want) {
			t.Errorf("overlaid config lacks %q", want)
		}
	}
	for _, gone := range []string{"smtp.example.com", "events.pagerduty.com", "/etc/alertmanager/secrets"} {
		if strings.Contains(got, gone) {
			t.Errorf("overlaid config still has %q", gone)
		}
	}
	orig, err := os.ReadFile("alertmanager.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a, o map[string]any
	if err := yaml.Unmarshal(orig, &a); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"route", "inhibit_rules"} {
		ay, _ := yaml.Marshal(a[key])
		oy, _ := yaml.Marshal(o[key])
		if string(ay) != string(oy) {
			t.Errorf("overlay changed %s", key)
		}
	}
}

func TestRoutesSendEachSeverityToItsReceiver(t *testing.T) {
	for _, tc := range []struct {
		name     string
		labels   []string
		receiver string
	}{
		{"critical pages, posts to Slack and mails", []string{"alertname=etcdInsufficientMembers", "cluster=prod", "severity=critical"}, "critical-pagerduty-slack-email"},
		{"critical members down also mails", []string{"alertname=etcdMembersDown", "cluster=prod", "severity=critical"}, "critical-pagerduty-slack-email"},
		{"warning posts to Slack and mails", []string{"alertname=etcdHighFsyncDurations", "cluster=prod", "severity=warning"}, "warning-slack-email"},
		{"info mails", []string{"alertname=etcdMonitorSomething", "cluster=prod", "severity=info"}, "info-email"},
		{"no severity still reaches people", []string{"alertname=Unlabelled", "cluster=prod"}, "warning-slack-email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"config", "routes", "test", "--config.file=alertmanager.yml", "--verify.receivers=" + tc.receiver}, tc.labels...)
			out, err := runAmtool(t, args...)
			if err != nil {
				t.Fatalf("amtool %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		})
	}
}

// amConfig is the part of alertmanager.yml the structural tests read.
type amConfig struct {
	Route struct {
		GroupBy []string `yaml:"group_by"`
	} `yaml:"route"`
	Receivers []map[string]any `yaml:"receivers"`
}

func TestReceiversNotifyTheChannelsOfTheirSeverity(t *testing.T) {
	b, err := os.ReadFile("alertmanager.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c amConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Route.GroupBy, []string{"alertname", "cluster"}) {
		t.Errorf("group_by %v, want [alertname cluster]", c.Route.GroupBy)
	}
	want := map[string][]string{
		// Critical alerts are mailed too: email is the written record of every page.
		"critical-pagerduty-slack-email": {"email_configs", "pagerduty_configs", "slack_configs"},
		"warning-slack-email":            {"email_configs", "slack_configs"},
		"info-email":                     {"email_configs"},
	}
	for _, r := range c.Receivers {
		name, _ := r["name"].(string)
		var got []string
		for k := range r {
			if strings.HasSuffix(k, "_configs") {
				got = append(got, k)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want[name]) {
			t.Errorf("receiver %s notifies %v, want %v", name, got, want[name])
		}
		delete(want, name)
	}
	for name := range want {
		t.Errorf("receiver %s missing", name)
	}
}

func TestCriticalAndWarningShareSlackAndEmailSettings(t *testing.T) {
	b, err := os.ReadFile("alertmanager.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c amConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, r := range c.Receivers {
		name, _ := r["name"].(string)
		byName[name] = r
	}
	critical, warning := byName["critical-pagerduty-slack-email"], byName["warning-slack-email"]
	if critical == nil || warning == nil {
		t.Fatalf("receivers critical-pagerduty-slack-email and warning-slack-email must both exist")
	}
	for _, key := range []string{"email_configs", "slack_configs"} {
		if !reflect.DeepEqual(critical[key], warning[key]) {
			t.Errorf("%s of critical-pagerduty-slack-email differ from warning-slack-email's:\n%v\n%v", key, critical[key], warning[key])
		}
	}
}

func TestConfigReadsSecretsOnlyFromFiles(t *testing.T) {
	b, err := os.ReadFile("alertmanager.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"smtp_auth_password:", "smtp_auth_secret:", "api_url:", "routing_key:", "service_key:", "auth_password:", "slack_api_url:"} {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), key) {
				t.Errorf("inline secret setting: %s", strings.TrimSpace(line))
			}
		}
	}
}

const firingCritical = `{"receiver":"critical-pagerduty-slack-email","status":"firing","alerts":[{"status":"firing",
"labels":{"alertname":"etcdNoLeader","cluster":"prod","instance":"m1:2379","severity":"critical","scope":"member"},
"annotations":{"summary":"etcd cluster prod: member m1:2379 has no leader.","description":"Member <m1> has had no leader for 1m.",
"runbook_url":"https://github.com/etcd-monitor/etcd-monitor/blob/main/docs/runbooks.md#etcdnoleader","dashboard_url":"http://grafana.example.com/d/x?var-cluster=prod"},
"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph","fingerprint":"a1"}],
"groupLabels":{"alertname":"etcdNoLeader","cluster":"prod"},
"commonLabels":{"alertname":"etcdNoLeader","cluster":"prod","instance":"m1:2379","severity":"critical","scope":"member"},
"commonAnnotations":{"summary":"etcd cluster prod: member m1:2379 has no leader.","description":"Member <m1> has had no leader for 1m.",
"runbook_url":"https://github.com/etcd-monitor/etcd-monitor/blob/main/docs/runbooks.md#etcdnoleader","dashboard_url":"http://grafana.example.com/d/x?var-cluster=prod"},
"externalURL":"http://alertmanager:9093"}`

const resolvedWarning = `{"receiver":"warning-slack-email","status":"resolved","alerts":[{"status":"resolved",
"labels":{"alertname":"etcdMembersDown","cluster":"prod","job":"etcd","severity":"warning","scope":"member"},
"annotations":{"summary":"etcd cluster prod: 1 members are down.","description":"1 members are down.","runbook_url":"https://r#etcdmembersdown","dashboard_url":"http://g/d"},
"startsAt":"2026-01-01T00:00:00Z","endsAt":"2026-01-01T00:10:00Z","generatorURL":"http://prometheus:9090/graph","fingerprint":"b2"}],
"groupLabels":{"alertname":"etcdMembersDown","cluster":"prod"},
"commonLabels":{"alertname":"etcdMembersDown","cluster":"prod","job":"etcd","severity":"warning","scope":"member"},
"commonAnnotations":{"summary":"etcd cluster prod: 1 members are down.","description":"1 members are down.","runbook_url":"https://r#etcdmembersdown","dashboard_url":"http://g/d"},
"externalURL":"http://alertmanager:9093"}`

func TestTemplatesRenderWithAmtool(t *testing.T) {
	dir := t.TempDir()
	data := map[string]string{"firingCritical": firingCritical, "resolvedWarning": resolvedWarning}
	for name, d := range data {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(d), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, template, typ, data string
		want                      []string
		notWant                   []string
	}{
		{"slack title counts firing alerts", "etcdmonitor.slack.title", "text", "firingCritical", []string{"[FIRING:1] etcdNoLeader · prod (critical)"}, nil},
		{"slack colour of critical", "etcdmonitor.slack.color", "text", "firingCritical", []string{"danger"}, nil},
		{"slack colour of resolved", "etcdmonitor.slack.color", "text", "resolvedWarning", []string{"good"}, []string{"warning"}},
		{"slack text links runbook and dashboard", "etcdmonitor.slack.text", "text", "firingCritical",
			[]string{"*etcd cluster prod: member m1:2379 has no leader.*", "<https://github.com/etcd-monitor/etcd-monitor/blob/main/docs/runbooks.md#etcdnoleader|Runbook>", "<http://grafana.example.com/d/x?var-cluster=prod|Dashboard>", "`m1:2379`"}, nil},
		{"pagerduty summary", "etcdmonitor.pagerduty.description", "text", "firingCritical", []string{"[FIRING:1] etcdNoLeader · prod (critical): etcd cluster prod: member m1:2379 has no leader."}, nil},
		{"pagerduty severity", "etcdmonitor.pagerduty.severity", "text", "firingCritical", []string{"critical"}, nil},
		{"pagerduty component is the member", "etcdmonitor.pagerduty.component", "text", "firingCritical", []string{"m1:2379"}, nil},
		{"pagerduty component of a cluster alert", "etcdmonitor.pagerduty.component", "text", "resolvedWarning", []string{"etcd"}, nil},
		{"pagerduty details list firing alerts", "etcdmonitor.pagerduty.firing", "text", "firingCritical", []string{"- [m1:2379] Member <m1> has had no leader for 1m."}, nil},
		{"email subject", "etcdmonitor.email.subject", "text", "resolvedWarning", []string{"[RESOLVED] etcdMembersDown · prod (warning)"}, []string{"FIRING"}},
		{"email text", "etcdmonitor.email.text", "text", "resolvedWarning", []string{"RESOLVED etcdMembersDown (warning)", "Runbook:     https://r#etcdmembersdown", "Resolved:    2026-01-01 00:10:00 UTC"}, nil},
		{"email html escapes descriptions", "etcdmonitor.email.html", "html", "firingCritical",
			[]string{"<!DOCTYPE html>", "Member &lt;m1&gt; has had no leader", `<a href="https://github.com/etcd-monitor/etcd-monitor/blob/main/docs/runbooks.md#etcdnoleader">Runbook</a>`, "#c62828"},
			[]string{"Member <m1>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runAmtool(t, "template", "render", "--template.glob=templates/*.tmpl",
				"--template.type="+tc.typ, "--template.data="+filepath.Join(dir, tc.data+".json"),
				`--template.text={{ template "`+tc.template+`" . }}`)
			if err != nil {
				t.Fatalf("amtool template render: %v\n%s", err, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("rendered %s lacks %q:\n%s", tc.template, w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("rendered %s contains %q:\n%s", tc.template, w, out)
				}
			}
		})
	}
}
