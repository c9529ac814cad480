package packaging

import (
	"archive/zip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

const testID = "etcdmonitor-etcd-app"

// goodDist is a package that passes every check.
func goodDist(t *testing.T) fstest.MapFS {
	t.Helper()
	pj, err := json.Marshal(map[string]any{
		"type": "app", "name": "etcd-monitor", "id": testID, "backend": true, "executable": "gpx_etcd",
		"info": map[string]any{
			"author":  map[string]any{"name": "etcd-monitor"},
			"logos":   map[string]any{"small": "img/logo.svg", "large": "img/logo.svg"},
			"version": "1.2.3", "updated": "2026-01-02",
		},
		"includes": []map[string]any{
			{"type": "page", "name": "Overview", "path": "/a/" + testID + "/overview"},
			{"type": "page", "name": "Configuration", "path": "/plugins/" + testID},
			{"type": "dashboard", "name": "Cluster", "path": "dashboards/cluster.json"},
		},
		"dependencies": map[string]any{"grafanaDependency": ">=13.1.0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{
		"plugin.json":                {Data: pj},
		"module.js":                  {Data: []byte("define([],function(){})")},
		"README.md":                  {Data: []byte("# app")},
		"CHANGELOG.md":               {Data: []byte("# changes")},
		"LICENSE":                    {Data: []byte("Apache")},
		"img/logo.svg":               {Data: []byte("<svg/>")},
		"dashboards/cluster.json":    {Data: []byte(`{"uid": "etcd-monitor-cluster", "title": "Cluster"}`)},
		"gpx_etcd_linux_amd64":       {Data: []byte("ELF"), Mode: 0o755},
		"gpx_etcd_windows_amd64.exe": {Data: []byte("MZ"), Mode: 0o755},
	}
}

var goodWant = Want{ID: testID, Version: "1.2.3", Platforms: []string{"linux_amd64", "windows_amd64"}}

func TestCheckPassesAGoodPackage(t *testing.T) {
	if errs := Check(goodDist(t), goodWant); len(errs) > 0 {
		t.Fatalf("good package refused: %v", errs)
	}
}

func TestCheckReportsEachProblem(t *testing.T) {
	setJSON := func(edit func(map[string]any)) func(fstest.MapFS) {
		return func(d fstest.MapFS) {
			var m map[string]any
			_ = json.Unmarshal(d["plugin.json"].Data, &m)
			edit(m)
			b, _ := json.Marshal(m)
			d["plugin.json"] = &fstest.MapFile{Data: b}
		}
	}
	info := func(m map[string]any) map[string]any { return m["info"].(map[string]any) }
	for name, tc := range map[string]struct {
		edit func(fstest.MapFS)
		want Want
		err  string
	}{
		"no module.js":        {edit: func(d fstest.MapFS) { delete(d, "module.js") }, err: "module.js: not in the package"},
		"no LICENSE":          {edit: func(d fstest.MapFS) { delete(d, "LICENSE") }, err: "LICENSE: not in the package"},
		"no CHANGELOG":        {edit: func(d fstest.MapFS) { delete(d, "CHANGELOG.md") }, err: "CHANGELOG.md: not in the package"},
		"executable missing":  {edit: func(d fstest.MapFS) { delete(d, "gpx_etcd_linux_amd64") }, err: "gpx_etcd_linux_amd64: not in the package"},
		"no exec bit":         {edit: func(d fstest.MapFS) { d["gpx_etcd_linux_amd64"].Mode = 0o644 }, err: "gpx_etcd_linux_amd64: no exec bit"},
		"windows without exe": {edit: func(d fstest.MapFS) { delete(d, "gpx_etcd_windows_amd64.exe") }, err: "gpx_etcd_windows_amd64.exe: not in the package"},
		"logo missing":        {edit: func(d fstest.MapFS) { delete(d, "img/logo.svg") }, err: "info.logos.small img/logo.svg: not in the package"},
		"version differs":     {want: Want{ID: testID, Version: "1.2.4"}, err: `info.version "1.2.3", want package.json's "1.2.4"`},
		"placeholder left": {edit: setJSON(func(m map[string]any) { info(m)["updated"] = "%TODAY%" }),
			err: "info.updated \"%TODAY%\" is not a date"},
		"id not an app id": {edit: setJSON(func(m map[string]any) { m["id"] = "etcd" }), want: Want{ID: "etcd", Version: "1.2.3"},
			err: "is not of the form <org>-<name>-app"},
		"page outside the app": {edit: setJSON(func(m map[string]any) {
			m["includes"] = []map[string]any{{"type": "page", "name": "X", "path": "/a/other-app/x"}}
		}), err: `page path "/a/other-app/x"`},
		"dashboard missing": {edit: setJSON(func(m map[string]any) {
			m["includes"] = []map[string]any{{"type": "dashboard", "name": "Overview", "path": "dashboards/overview.json"}}
		}), err: `include "Overview": dashboard dashboards/overview.json: not in the package`},
		"dashboard outside the package": {edit: setJSON(func(m map[string]any) {
			m["includes"] = []map[string]any{{"type": "dashboard", "name": "Up", "path": "../dashboards/cluster.json"}}
		}), err: `include "Up": dashboard ../dashboards/cluster.json: not a path inside the package`},
		"dashboard not JSON": {edit: func(d fstest.MapFS) { d["dashboards/cluster.json"] = &fstest.MapFile{Data: []byte("{uid:")} },
			err: `include "Cluster": dashboard dashboards/cluster.json: not a JSON dashboard`},
		"dashboard without uid": {edit: func(d fstest.MapFS) { d["dashboards/cluster.json"] = &fstest.MapFile{Data: []byte(`{}`)} },
			err: `include "Cluster": dashboard dashboards/cluster.json: no uid`},
		"dashboard uid twice": {edit: func(d fstest.MapFS) {
			d["dashboards/copy.json"] = d["dashboards/cluster.json"]
			setJSON(func(m map[string]any) {
				m["includes"] = append(m["includes"].([]any), map[string]any{"type": "dashboard", "name": "Copy", "path": "dashboards/copy.json"})
			})(d)
		}, err: `include "Copy": dashboard dashboards/copy.json has the uid "etcd-monitor-cluster" of dashboards/cluster.json`},
	} {
		t.Run(name, func(t *testing.T) {
			d := goodDist(t)
			if tc.edit != nil {
				tc.edit(d)
			}
			want := goodWant
			if tc.want.ID != "" {
				want = tc.want
			}
			errs := Check(d, want)
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.err) {
				t.Errorf("errors %q do not contain %q", all, tc.err)
			}
		})
	}
}

func TestZipPutsEverythingUnderThePluginIDAndKeepsExecBits(t *testing.T) {
	dist := filepath.Join(t.TempDir(), "dist")
	for name, f := range goodDist(t) {
		p := filepath.Join(dist, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := f.Mode
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(p, f.Data, mode); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "app.zip")
	if err := Zip(dist, testID, out); err != nil {
		t.Fatal(err)
	}
	if errs := CheckZip(out, goodWant); len(errs) > 0 {
		t.Fatalf("zip refused: %v", errs)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, testID+"/") {
			t.Errorf("entry %s not under %s/", f.Name, testID)
		}
	}
}
