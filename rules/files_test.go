package rules

import (
	"io/fs"
	"path/filepath"
	"slices"
	"testing"
)

// Every rule file of the directory is embedded, so a new one reaches the demo's Prometheus.
func TestFilesEmbedEveryRuleFile(t *testing.T) {
	onDisk, err := filepath.Glob("*.yml")
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := fs.Glob(Files, "*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(onDisk, embedded) {
		t.Errorf("rules/*.yml %v, embedded %v: list the new file in files.go's go:embed line", onDisk, embedded)
	}
}
