package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/dashboards"
)

func TestWriteRendersEveryDashboardToItsFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "json")
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	for _, d := range dashboards.All() {
		want, err := d.Render()
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, d.File))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from Render()", d.File)
		}
	}
}
