package snapshotfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// failingReader gives n bytes, then an error, as a stream cut off mid-way.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("stream broken")
	}
	k := min(len(p), r.n)
	r.n -= k
	return k, nil
}

func TestWriteLeavesNothingWhenTheStreamFails(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Write(dir, "a.db", &failingReader{n: 100 << 10}, nil); err == nil || !strings.Contains(err.Error(), "stream broken") {
		t.Fatalf("write of a broken stream: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestWriteReportsProgressAndNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	data := strings.Repeat("etcd", 50000)
	var last int64
	n, sum, err := Write(dir, "a.db", strings.NewReader(data), func(w int64) { last = w })
	want := sha256.Sum256([]byte(data))
	if err != nil || n != int64(len(data)) || last != n || sum != hex.EncodeToString(want[:]) {
		t.Fatalf("write: %d bytes, progress %d, sum %s, %v", n, last, sum, err)
	}
	_, _, err = Write(dir, "a.db", strings.NewReader("other"), nil)
	if !errors.Is(err, ErrExists) {
		t.Fatalf("second write under the same name: %v", err)
	}
	f, _ := os.Open(dir + "/a.db")
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != data {
		t.Fatal("the existing snapshot was changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("files: %v", entries)
	}
}

func TestDefaultNameFallsBackWhenClusterOrMemberMakeABadName(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	if got := DefaultName("prod", "m1", at); got != "prod-m1-20261206T100000.000Z.db" {
		t.Fatalf("name %q", got)
	}
	if got := DefaultName("prod", "a/b", at); got != "snapshot-20261206T100000.000Z.db" {
		t.Fatalf("name %q", got)
	}
}
