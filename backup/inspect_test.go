package backup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// etcdctlSave saves a snapshot as `etcdctl snapshot save` does (the same client code) into dir
// under name, dated at.
func etcdctlSave(t *testing.T, dir, name string, at time.Time) {
	t.Helper()
	c := etcdtest.Shared(t)
	cfg, err := c.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = zap.NewNop()
	path := filepath.Join(dir, name)
	if _, err := snapshot.SaveWithVersion(context.Background(), zap.NewNop(), cfg, path); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, at, at)
}

func TestInspectWatchesALocationAnotherToolFills(t *testing.T) {
	ctx := ctxFor(t)
	loc := newDir(t)
	dir := filepath.Dir(loc.Path("x"))
	now := time.Now().UTC()
	cli := etcdtest.Shared(t).Members[0]
	c, err := etcdtest.Shared(t).Client(cli.ClientURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fill(t, c, clusterName(t), 20, 10)
	etcdctlSave(t, dir, "etcd-snapshot-2026-12-04.db", now.Add(-50*time.Hour))
	etcdctlSave(t, dir, "etcd-snapshot-2026-12-05.db", now.Add(-26*time.Hour))
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not a backup"), 0o600)
	e, err := New(Config{Location: loc, ScratchDir: t.TempDir(), Drill: DrillCommand{Path: os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := e.Inspect(ctx, InspectOptions{Pattern: "etcd-snapshot-*.db", Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case rec.Count != 2 || rec.Newest == nil || rec.Newest.Name != "etcd-snapshot-2026-12-05.db" || rec.Previous == nil:
		t.Fatalf("inspect %+v", rec)
	case rec.NewestAgeSeconds < 26*3600-60 || rec.NewestAgeSeconds > 26*3600+600:
		t.Fatalf("newest age %v s", rec.NewestAgeSeconds)
	case rec.Verification == nil || !rec.Verification.OK || !rec.Verification.Checksum || rec.Verification.Status.Revision == 0:
		t.Fatalf("verification %+v", rec.Verification)
	}
	// An optional drill of the newest, without a record of ours.
	if d, err := e.Drill(ctx, rec.Newest.Name, nil); err != nil || !d.OK || d.Got.KeyCount == 0 {
		t.Fatalf("drill of a backup another tool made: %+v, %v", d, err)
	}

	// The classic failure: the newest is a truncated 4 KB file.
	raw, _ := os.ReadFile(filepath.Join(dir, "etcd-snapshot-2026-12-04.db"))
	os.WriteFile(filepath.Join(dir, "etcd-snapshot-2026-12-06.db"), raw[:4096], 0o600)
	rec, err = e.Inspect(ctx, InspectOptions{Pattern: "etcd-snapshot-*.db", Verify: true})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Count != 3 || rec.Newest.Size != 4096 || rec.Previous.Size <= 4096 || rec.Verification.OK ||
		!strings.Contains(rec.Verification.Error, "etcd-snapshot-2026-12-06.db") {
		t.Fatalf("inspect of a truncated newest: %+v, verification %+v", rec, rec.Verification)
	}
	noScratchLeft(t, e)
}

func TestInspectRejectsABadPatternAndNamesAMissingLocation(t *testing.T) {
	e, _ := New(Config{Location: newDir(t)})
	if _, err := e.Inspect(context.Background(), InspectOptions{Pattern: "[x"}); err == nil || !strings.Contains(err.Error(), `pattern "[x"`) {
		t.Fatalf("bad pattern: %v", err)
	}
	missing := t.TempDir() + "/gone"
	e, _ = New(Config{Location: mustDir(t, missing)})
	if _, err := e.Inspect(context.Background(), InspectOptions{}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing location: %v", err)
	}
}
