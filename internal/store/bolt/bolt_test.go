package bolt_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// backend is one bbolt file in a test's temporary directory.
type backend struct{ path string }

func newBackend(t *testing.T) storetest.Backend {
	return &backend{path: filepath.Join(t.TempDir(), "store.db")}
}

func (b *backend) Open(t testing.TB) store.Store { return b.OpenKeepingConsoleEntries(t, 0) }

func (b *backend) OpenKeepingConsoleEntries(t testing.TB, perUser int) store.Store {
	t.Helper()
	st, err := bolt.Open(b.path, bolt.Options{ConsoleHistoryPerUser: perUser})
	if err != nil {
		t.Fatalf("open bolt store: %v", err)
	}
	return st
}

// edit opens the file directly with bbolt, bypassing the store.
func (b *backend) edit(t testing.TB, fn func(audit *bbolt.Bucket) error) {
	t.Helper()
	db, err := bbolt.Open(b.path, 0o600, nil)
	if err != nil {
		t.Fatalf("open bolt file: %v", err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error { return fn(tx.Bucket([]byte("audit"))) }); err != nil {
		t.Fatalf("edit bolt file: %v", err)
	}
}

func seqKey(seq int64) []byte {
	return []byte{byte(seq >> 56), byte(seq >> 48), byte(seq >> 40), byte(seq >> 32), byte(seq >> 24), byte(seq >> 16), byte(seq >> 8), byte(seq)}
}

func (b *backend) AlterAuditRecord(t testing.TB, seq int64, fn func(*store.AuditRecord)) {
	b.edit(t, func(audit *bbolt.Bucket) error {
		var rec store.AuditRecord
		if err := json.Unmarshal(audit.Get(seqKey(seq)), &rec); err != nil {
			return err
		}
		fn(&rec)
		v, err := json.Marshal(&rec)
		if err != nil {
			return err
		}
		return audit.Put(seqKey(seq), v)
	})
}

func (b *backend) DeleteAuditRecord(t testing.TB, seq int64) {
	b.edit(t, func(audit *bbolt.Bucket) error { return audit.Delete(seqKey(seq)) })
}

func TestContract(t *testing.T) {
	storetest.Run(t, newBackend)
}

func TestOpenRejectsCorruptFile(t *testing.T) {
	dir := t.TempDir()
	valid := filepath.Join(dir, "valid.db")
	st, err := bolt.Open(valid, bolt.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	st.Close()
	data, err := os.ReadFile(valid)
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(i*7 + 3)
	}
	zeroedMeta := append([]byte(nil), data...)
	clear(zeroedMeta[:2*4096])
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"garbage", garbage, "not a bolt database or is corrupt"},
		{"text file", []byte("this is not a database\n"), "not a bolt database or is corrupt"},
		{"meta pages zeroed", zeroedMeta, "not a bolt database or is corrupt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".db")
			if err := os.WriteFile(path, tc.content, 0o600); err != nil {
				t.Fatal(err)
			}
			st, err := bolt.Open(path, bolt.Options{})
			if err == nil {
				st.Close()
				t.Fatalf("open succeeded on a corrupt file")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %q, want it to name %s and say %q", err, path, tc.want)
			}
		})
	}
}

func TestOpenRefusesForeignBoltFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "member.db")
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucket([]byte("key"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := bolt.Open(path, bolt.Options{}); err == nil || !strings.Contains(err.Error(), "not an etcd-monitor store") {
		t.Fatalf("open of an etcd member db: %v, want it refused", err)
	}
}

func TestOpenReportsLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	st, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := bolt.Open(path, bolt.Options{LockTimeout: 50e6}); err == nil || !strings.Contains(err.Error(), "locked by another process") {
		t.Fatalf("second open: %v, want a lock error", err)
	}
}

func BenchmarkAuditAppend(b *testing.B) {
	storetest.BenchmarkAppend(b, func(b *testing.B) store.Store {
		st, err := bolt.Open(filepath.Join(b.TempDir(), "store.db"), bolt.Options{})
		if err != nil {
			b.Fatalf("open: %v", err)
		}
		return st
	})
}

func BenchmarkCreateJobs(b *testing.B) {
	storetest.BenchmarkCreateJobs(b, func(b *testing.B) store.Store {
		st, err := bolt.Open(filepath.Join(b.TempDir(), "store.db"), bolt.Options{})
		if err != nil {
			b.Fatalf("open: %v", err)
		}
		return st
	})
}
