package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/backup"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

// decodeJSON decodes the whole of stdout into v, refusing unknown fields: the output is exactly
// the engine's or the API's type.
func decodeJSON(t *testing.T, r result, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not one %T: %v\n%s", v, err, r)
	}
	if dec.More() {
		t.Fatalf("more than one JSON document on stdout:\n%s", r)
	}
}

// keysOf returns the field names of the JSON object raw.
func keysOf(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestListWritesJSONInTheShapeOfTheBackupsAPI(t *testing.T) {
	f := newFixture(t, true)
	f.fill(t, 10)
	first := f.backup(t)
	f.fill(t, 10)
	second := f.backup(t)
	for _, flag := range []string{"-w", "--write-out"} {
		t.Run(flag, func(t *testing.T) {
			r := run(t, "list", "--config.file", f.config, "--location", "local", "--cluster", "prod", flag, "json")
			if r.code != 0 || r.stderr != "" {
				t.Fatal(r)
			}
			var list backup.List
			decodeJSON(t, r, &list)
			if len(list.Backups) != 2 || list.Backups[0].Name != second.Name || list.Backups[1].Name != first.Name {
				t.Fatalf("want %s then %s:\n%s", second.Name, first.Name, r)
			}
			for i, rec := range []backup.Record{second, first} {
				s := list.Backups[i]
				// What the location says; the rest needs the backup events, which only opsproxy reads.
				if s.Location != "local" || s.Size != rec.Size || !s.Encrypted || s.External || s.CreatedAt.IsZero() ||
					s.SnapshotSize != 0 || s.Revision != 0 || s.Verified != nil || s.Drill != nil || s.JobID != "" {
					t.Fatalf("backup %d: %+v, want location local, size %d, encrypted, a time, nothing from the events", i, s, rec.Size)
				}
			}
			var raw struct{ Backups []json.RawMessage }
			if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
				t.Fatal(err)
			}
			want := []string{"created_at", "drill", "encrypted", "external", "job_id", "key_count", "location", "name", "revision", "size", "snapshot_size", "verified"}
			if got := keysOf(t, raw.Backups[0]); !slices.Equal(got, want) {
				t.Fatalf("fields %v, want the API's %v", got, want)
			}
			noSecret(t, r, f.identity)
		})
	}
}

func TestListOfAnEmptyLocationIsAnEmptyJSONList(t *testing.T) {
	f := newFixture(t, false)
	r := run(t, "list", "--config.file", f.config, "--location", "local", "-w", "json")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "{\n  \"backups\": []\n}" {
		t.Fatalf("want an empty list, not null:\n%s", r)
	}
}

func TestVerifyWritesItsRecordAsJSONWhetherItPassesOrFails(t *testing.T) {
	f := newFixture(t, true)
	f.fill(t, 30)
	rec := f.backup(t)
	r := run(t, "verify", "--config.file", f.config, "--location", "local", "-w", "json", rec.Name)
	if r.code != 0 || r.stderr != "" {
		t.Fatal(r)
	}
	var v backup.VerifyRecord
	decodeJSON(t, r, &v)
	if !v.OK || v.Name != rec.Name || v.SHA256 != rec.SHA256 || v.StoredSHA256 != rec.StoredSHA256 || v.Size != rec.Size ||
		v.SnapshotSize != rec.SnapshotSize || !v.Encrypted || !v.Checksum || v.Status == nil || v.Status.Revision != rec.Status.Revision || v.Error != "" {
		t.Fatalf("record %+v does not match the backup's %+v", v, rec)
	}
	noSecret(t, r, f.identity)

	f.flip(t, rec.Name)
	r = run(t, "verify", "--config.file", f.config, "--location", "local", "-w", "json", rec.Name)
	if r.code != 1 || !strings.Contains(r.stderr, "verify backup "+rec.Name) {
		t.Fatalf("a byte-flipped backup: want exit 1 naming it:\n%s", r)
	}
	v = backup.VerifyRecord{}
	decodeJSON(t, r, &v)
	if v.OK || v.Name != rec.Name || !strings.Contains(v.Error, "verify backup "+rec.Name+" in dir "+f.dir) {
		t.Fatalf("a byte-flipped backup: want ok false and why, got %+v", v)
	}
	noSecret(t, r, f.identity)
}

func TestRecoverWritesItsRecordAsJSON(t *testing.T) {
	f := newFixture(t, true)
	f.fill(t, 40)
	rec := f.backup(t)
	dir := filepath.Join(t.TempDir(), "r0")
	r := run(t, "recover", "--config.file", f.config, "--location", "local", "--cluster", "prod", rec.Name, "-w", "json",
		"--token", "prod-recovered", "--bump-revision", "1000", "--mark-compacted",
		"--member", "name=r0,peer-urls="+freeURL(t)+",data-dir="+dir)
	if r.code != 0 || r.stderr != "" {
		t.Fatal(r)
	}
	var got backup.RecoverRecord
	decodeJSON(t, r, &got)
	if got.Name != rec.Name || got.DataDirs["r0"] != dir || len(got.DataDirs) != 1 || got.BumpRevision != 1000 || !got.MarkCompacted ||
		got.Status.Revision != rec.Status.Revision {
		t.Fatalf("record %+v, want %s restored into %s at revision %d, bumped by 1000", got, rec.Name, dir, rec.Status.Revision)
	}
	if _, err := os.Stat(filepath.Join(dir, "member", "snap", "db")); err != nil {
		t.Fatalf("no data directory written: %v", err)
	}
	noSecret(t, r, f.identity)
}

func TestDownloadWritesItsRecordAsJSON(t *testing.T) {
	f := newFixture(t, true)
	f.fill(t, 20)
	rec := f.backup(t)
	out := filepath.Join(t.TempDir(), "prod.db")
	r := run(t, "download", "--config.file", f.config, "--location", "local", rec.Name, "--out", out, "--write-out=json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("want the record alone, on stdout:\n%s", r)
	}
	var got backup.DownloadRecord
	decodeJSON(t, r, &got)
	sum, err := snapshotfile.SHA256Of(out)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != rec.Name || got.Path != out || got.SHA256 != rec.SHA256 || sum != rec.SHA256 || got.Size != rec.SnapshotSize ||
		!got.Encrypted || !got.Checksum || got.Status == nil || got.Status.Revision != rec.Status.Revision {
		t.Fatalf("record %+v, file sha256 %s, want the backup's %+v", got, sum, rec)
	}
	noSecret(t, r, f.identity)
}

func TestAnUnknownWriteOutIsABadArgumentNamingTheFlag(t *testing.T) {
	f := newFixture(t, false)
	f.fill(t, 5)
	rec := f.backup(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"list"},
		{"verify", rec.Name},
		{"download", rec.Name, "--out", filepath.Join(dir, "out.db")},
		{"recover", rec.Name, "--token", "t", "--member", "name=a,peer-urls=http://10.0.0.1:2380,data-dir=" + filepath.Join(dir, "a")},
	} {
		for _, format := range []string{"yaml", "JSON", "simple", ""} {
			r := run(t, append([]string{"--config.file", f.config, args[0], "--location", "local", "-w", format}, args[1:]...)...)
			if r.code != 2 || !strings.Contains(r.stderr, "--write-out") || !strings.Contains(r.stderr, "want text or json") || r.stdout != "" {
				t.Fatalf("%s -w %q: want exit 2 naming --write-out:\n%s", args[0], format, r)
			}
		}
	}
	// Refused before anything was written.
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}
