package backup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

func TestDownloadWritesTheSnapshotAndNeverOverAFile(t *testing.T) {
	ctx := ctxFor(t)
	idFile, recipient, _ := ageKey(t)
	e, cli := sharedEngine(t, newDir(t), func(c *Config) {
		c.Encryption = &Encryption{Recipients: []string{recipient}, IdentityFile: idFile}
	})
	fill(t, cli, clusterName(t), 20, 50)
	rec, err := e.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "snap.db")
	d, err := e.Download(ctx, rec.Name, out)
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := snapshotfile.SHA256Of(out)
	if d.SHA256 != rec.SHA256 || sum != rec.SHA256 || d.Size != rec.SnapshotSize || !d.Encrypted || !d.Checksum || d.Status.Revision != rec.Status.Revision {
		t.Fatalf("download %+v, backup %+v, file sha256 %s", d, rec, sum)
	}
	if _, err := e.Download(ctx, rec.Name, out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second download over the file: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left in the directory: %v", entries)
	}
	noScratchLeft(t, e)
}
