package packaging

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuiltPackage checks the package `make grafana-app` built: grafana-app/dist and the zip
// in grafana-app/artifacts. `make test` builds them before the Go tests; run alone without
// them the test is skipped, except in CI (CI set), where a missing build is a failure.
func TestBuiltPackage(t *testing.T) {
	const id = "etcdmonitor-etcd-app"
	f, err := os.Open("../package.json")
	if err != nil {
		t.Fatal(err)
	}
	version, err := PackageVersion(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join("..", "artifacts", id+"-"+version+".zip")
	for _, p := range []string{"../dist/plugin.json", zipPath} {
		if _, err := os.Stat(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s: %v (CI: `make test` builds the app before the Go tests)", p, err)
			}
			t.Skipf("%s not built (run `make grafana-app`): %v", p, err)
		}
	}
	platforms := []string{"linux_amd64"}
	if env := os.Getenv("GRAFANA_APP_PLATFORMS"); env != "" {
		platforms = nil
		for _, p := range strings.Fields(env) {
			platforms = append(platforms, strings.ReplaceAll(p, "/", "_"))
		}
	}
	want := Want{ID: id, Version: version, Platforms: platforms}
	for _, e := range Check(os.DirFS("../dist"), want) {
		t.Errorf("dist: %v", e)
	}
	for _, e := range CheckZip(zipPath, want) {
		t.Errorf("%s: %v", zipPath, e)
	}
}
