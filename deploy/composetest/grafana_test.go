package composetest

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

func pluginID(t *testing.T) string {
	t.Helper()
	var pj struct {
		ID       string `json:"id"`
		Includes []struct {
			Type, Path string
		} `json:"includes"`
	}
	if err := json.Unmarshal([]byte(readFile(t, "grafana-app/src/plugin.json")), &pj); err != nil {
		t.Fatal(err)
	}
	return pj.ID
}

// grafanaFile reads a Grafana provisioning file the grafana service mounts, by its path in the container.
func grafanaFile(t *testing.T, inContainer string, v any) {
	t.Helper()
	g := service(t, loadProject(t), "grafana")
	host := hostPath(g, inContainer)
	if host == "" {
		t.Fatalf("grafana mounts nothing at %s", inContainer)
	}
	b, err := os.ReadFile(host)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", host, err)
	}
}

func TestGrafanaProvisionsTheAppWithOpsproxyAndTheTokenFile(t *testing.T) {
	var f struct {
		APIVersion int `yaml:"apiVersion"`
		Apps       []struct {
			Type           string            `yaml:"type"`
			OrgID          int               `yaml:"org_id"`
			Disabled       bool              `yaml:"disabled"`
			JSONData       map[string]string `yaml:"jsonData"`
			SecureJSONData map[string]string `yaml:"secureJsonData"`
		} `yaml:"apps"`
	}
	grafanaFile(t, "/etc/grafana/provisioning/plugins/etcd-monitor.yaml", &f)
	if f.APIVersion != 1 || len(f.Apps) != 1 {
		t.Fatalf("want apiVersion 1 and one app, got %+v", f)
	}
	app := f.Apps[0]
	if app.Type != pluginID(t) || app.Disabled {
		t.Errorf("app type %q (disabled %v), want the enabled %q of grafana-app/src/plugin.json", app.Type, app.Disabled, pluginID(t))
	}
	// jsonData.opsproxyUrl names the opsproxy service and the port it listens on.
	u, err := url.Parse(app.JSONData["opsproxyUrl"])
	if err != nil || u.Scheme != "http" || u.Hostname() != "opsproxy" || u.Port() != ourServices["opsproxy"] {
		t.Errorf("jsonData.opsproxyUrl %q: want http://opsproxy:%s", app.JSONData["opsproxyUrl"], ourServices["opsproxy"])
	}
	p := loadProject(t)
	if addr, _ := flagValue(service(t, p, "opsproxy").Command, "web.listen-address"); addr != ":"+u.Port() {
		t.Errorf("opsproxy listens on %q, the app calls port %s", addr, u.Port())
	}
	// The token: an environment reference whose __FILE twin names a secret the service has.
	tok := app.SecureJSONData["serviceToken"]
	envName, ok := strings.CutPrefix(tok, "$")
	if !ok || strings.ContainsAny(envName, " {}") {
		t.Fatalf("secureJsonData.serviceToken %q: want a $VARIABLE, never a value", tok)
	}
	g := service(t, p, "grafana")
	file := g.Environment[envName+"__FILE"]
	if file == nil {
		t.Fatalf("grafana's environment has no %s__FILE (the image's run.sh turns it into %s)", envName, envName)
	}
	if !strings.HasPrefix(envName, "GF_") {
		t.Errorf("%s: run.sh only reads GF_*__FILE variables", envName)
	}
	if !slices.ContainsFunc(g.Secrets, func(s types.ServiceSecretConfig) bool { return secretTarget(s) == *file }) {
		t.Errorf("%s__FILE=%s is no secret of the grafana service", envName, *file)
	}
}

func TestGrafanaProvisionsTheDashboardsOfTheRepository(t *testing.T) {
	var f struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name            string `yaml:"name"`
			Folder          string `yaml:"folder"`
			Type            string `yaml:"type"`
			DisableDeletion bool   `yaml:"disableDeletion"`
			AllowUIUpdates  bool   `yaml:"allowUiUpdates"`
			Options         struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	grafanaFile(t, "/etc/grafana/provisioning/dashboards/etcd-monitor.yaml", &f)
	if len(f.Providers) != 1 || f.Providers[0].Type != "file" {
		t.Fatalf("want one file provider, got %+v", f.Providers)
	}
	g := service(t, loadProject(t), "grafana")
	host := hostPath(g, f.Providers[0].Options.Path)
	if host != filepath.Join(root, "dashboards", "json") {
		t.Fatalf("the provider reads %s, mounted from %q: want dashboards/json", f.Providers[0].Options.Path, host)
	}
	got, _ := filepath.Glob(filepath.Join(host, "*.json"))
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	// The same dashboards the app ships (plugin.json's includes of type dashboard).
	var pj struct {
		Includes []struct{ Type, Path string } `json:"includes"`
	}
	if err := json.Unmarshal([]byte(readFile(t, "grafana-app/src/plugin.json")), &pj); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, inc := range pj.Includes {
		if inc.Type == "dashboard" {
			want = append(want, filepath.Base(inc.Path))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("dashboards/json has %v, plugin.json's dashboards are %v", got, want)
	}
	for _, name := range got {
		var d map[string]any
		if err := json.Unmarshal([]byte(readFile(t, filepath.Join("dashboards", "json", name))), &d); err != nil || d["uid"] == nil {
			t.Errorf("%s: not a dashboard with a uid (%v)", name, err)
		}
	}
}

func TestGrafanaProvisionsPrometheusAsTheDefaultDataSource(t *testing.T) {
	var f struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name      string `yaml:"name"`
			UID       string `yaml:"uid"`
			Type      string `yaml:"type"`
			Access    string `yaml:"access"`
			URL       string `yaml:"url"`
			IsDefault bool   `yaml:"isDefault"`
			Editable  bool   `yaml:"editable"`
		} `yaml:"datasources"`
	}
	grafanaFile(t, "/etc/grafana/provisioning/datasources/prometheus.yaml", &f)
	if len(f.Datasources) != 1 {
		t.Fatalf("want one data source, got %+v", f.Datasources)
	}
	ds := f.Datasources[0]
	if ds.Type != "prometheus" || !ds.IsDefault || ds.URL != "http://prometheus:9090" {
		t.Errorf("data source %+v: want the default prometheus at http://prometheus:9090", ds)
	}
	service(t, loadProject(t), "prometheus")
}
