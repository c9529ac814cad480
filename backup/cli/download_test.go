package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

func TestDownloadWritesTheDecryptedSnapshotAndPrintsItsSHA256(t *testing.T) {
	f := newFixture(t, true)
	f.fill(t, 30)
	rec := f.backup(t)
	out := filepath.Join(t.TempDir(), "prod.db")
	r := run(t, "download", "--config.file", f.config, "--location", "local", rec.Name, "--out", out)
	if r.code != 0 {
		t.Fatal(r)
	}
	noSecret(t, r, f.identity)
	got, err := snapshotfile.SHA256Of(out)
	if err != nil {
		t.Fatal(err)
	}
	if got != rec.SHA256 || r.stdout != rec.SHA256+"  "+out+"\n" {
		t.Fatalf("file sha256 %s, recorded %s, printed:\n%s", got, rec.SHA256, r)
	}
	st, err := snapshotfile.StatusOf(out)
	if err != nil || st.Revision != rec.Status.Revision {
		t.Fatalf("the file is not the snapshot: %+v, %v", st, err)
	}
	// Never over a file.
	before, _ := os.ReadFile(out)
	r = run(t, "download", "--config.file", f.config, "--location", "local", rec.Name, "--out", out)
	if after, _ := os.ReadFile(out); r.code != 2 || !strings.Contains(r.stderr, "--out "+out+": exists") || string(after) != string(before) {
		t.Fatalf("download over an existing file:\n%s", r)
	}
}

func TestDownloadOfAByteFlippedBackupLeavesNoFile(t *testing.T) {
	for _, encrypted := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "encrypted"}[encrypted], func(t *testing.T) {
			f := newFixture(t, encrypted)
			f.fill(t, 30)
			rec := f.backup(t)
			f.flip(t, rec.Name)
			dir := t.TempDir()
			out := filepath.Join(dir, "prod.db")
			r := run(t, "download", "--config.file", f.config, "--location", "local", rec.Name, "--out", out)
			if r.code != 1 || !strings.Contains(r.stderr, "download backup "+rec.Name) {
				t.Fatalf("want exit 1 naming the backup:\n%s", r)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Fatalf("left behind: %v", entries)
			}
			noSecret(t, r, f.identity)
		})
	}
}
