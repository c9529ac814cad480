package dashboards

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

const jsonDir = "json"

func TestCommittedJSONMatchesTheCode(t *testing.T) {
	want := map[string]bool{}
	for _, d := range All() {
		want[d.File] = true
		rendered, err := d.Render()
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join(jsonDir, d.File))
		if err != nil {
			t.Fatalf("%v (run `go run ./dashboards/cmd/gen` from the repository root)", err)
		}
		if string(committed) != string(rendered) {
			t.Errorf("dashboards/json/%s is stale: run `go run ./dashboards/cmd/gen` from the repository root and commit it", d.File)
		}
	}
	entries, err := os.ReadDir(jsonDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("dashboards/json/%s is not rendered by any dashboard: remove it", e.Name())
		}
	}
}

func TestDashboardsHaveDistinctUIDsTitlesAndPanelIDs(t *testing.T) {
	uids, titles := map[string]string{}, map[string]string{}
	for _, d := range All() {
		model := renderModel(t, d)
		uid, _ := model["uid"].(string)
		title, _ := model["title"].(string)
		if uid == "" || title == "" {
			t.Errorf("%s: uid %q, title %q: both must be set", d.File, uid, title)
		}
		if other, ok := uids[uid]; ok {
			t.Errorf("%s and %s share uid %q", d.File, other, uid)
		}
		if other, ok := titles[title]; ok {
			t.Errorf("%s and %s share title %q", d.File, other, title)
		}
		uids[uid], titles[title] = d.File, d.File
		var ids []float64
		for _, p := range model["panels"].([]any) {
			id, _ := p.(map[string]any)["id"].(float64)
			if slices.Contains(ids, id) || id == 0 {
				t.Errorf("%s: panel id %v is missing or repeated", d.File, id)
			}
			ids = append(ids, id)
		}
	}
}

func TestDashboardsKeepTheUIDsAlertsLinkTo(t *testing.T) {
	// rules/config/settings.yml builds the alerts' dashboard_url from these UIDs: dashboard_url
	// for the cluster alerts, service_dashboard_url for opsproxy's.
	for uid, want := range map[string]string{OverviewUID: "etcd-monitor-cluster", OpsproxyUID: "etcd-monitor-opsproxy"} {
		if uid != want {
			t.Errorf("UID %q; alert dashboard links point at %s", uid, want)
			continue
		}
		found := false
		for _, d := range All() {
			found = found || renderModel(t, d)["uid"] == uid
		}
		if !found {
			t.Errorf("no dashboard has uid %q", uid)
		}
	}
}

// renderModel renders a dashboard and decodes it as generic JSON, as Grafana reads it.
func renderModel(t *testing.T, d Dashboard) map[string]any {
	t.Helper()
	raw, err := d.Render()
	if err != nil {
		t.Fatal(err)
	}
	var model map[string]any
	if err := json.Unmarshal(raw, &model); err != nil {
		t.Fatalf("%s: %v", d.File, err)
	}
	return model
}

func TestCommittedJSONDecodesStrictlyWithTheSDKSchema(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	for _, d := range All() {
		raw, err := os.ReadFile(filepath.Join(jsonDir, d.File))
		if err != nil {
			t.Fatal(err)
		}
		var model dashboard.Dashboard
		if err := nonEmpty(model.UnmarshalJSONStrict(raw)); err != nil {
			t.Errorf("%s: %v", d.File, err)
			continue
		}
		if err := nonEmpty(model.Validate()); err != nil {
			t.Errorf("%s: %v", d.File, err)
		}
	}
}

// nonEmpty turns the SDK's empty cog.BuildErrors, which it returns as a non-nil error, into nil.
func nonEmpty(err error) error {
	var list cog.BuildErrors
	if errors.As(err, &list) && len(list) == 0 {
		return nil
	}
	return err
}
