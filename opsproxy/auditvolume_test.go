package opsproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// maxAuditRecordBytes is the JSON size of the largest ordinary audit record: key and range
// end at store.MaxAuditKeyLen with their digests, every text field at store.MaxAuditTextLen,
// the error at store.MaxAuditErrorLen. bbolt stores this JSON; a PostgreSQL row is smaller.
func maxAuditRecordBytes(t testing.TB) int {
	text := strings.Repeat("t", store.MaxAuditTextLen)
	sha := strings.Repeat("a", 64)
	rec := store.AuditRecord{Seq: 1 << 40, Time: time.Now(), RequestID: text, User: text, TokenID: text, Role: text,
		Source: text, Cluster: text, Operation: text,
		Key: bytes.Repeat([]byte("k"), store.MaxAuditKeyLen), RangeEnd: bytes.Repeat([]byte("k"), store.MaxAuditKeyLen),
		KeySize: 1 << 40, KeySHA256: sha, RangeEndSize: 1 << 40, RangeEndSHA256: sha, ValueSize: 1 << 40, ValueSHA256: sha,
		Outcome: store.OutcomeAttempted, Error: strings.Repeat("e", store.MaxAuditErrorLen), Duration: time.Hour,
		PrevHash: make([]byte, store.HashSize), Hash: make([]byte, store.HashSize)}
	raw, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return len(raw)
}

// storeSize measures the bytes a store holds: for bbolt the pages in use (the file itself grows
// in steps of bbolt's 16 MB allocation), for PostgreSQL audit_log with its indexes and TOAST.
type storeSize func(t testing.TB) int64

// openSizedStore opens a fresh store of kind and a function that measures it.
func openSizedStore(t testing.TB, kind storeKind) (store.Store, storeSize) {
	t.Helper()
	if kind == postgresStore {
		dsn := storetest.PostgresDSN(t)
		schema := "opsproxy_test_" + store.NewID()[:12]
		storetest.DropSchemaAtCleanup(t, dsn, schema)
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatalf("open postgres store: %v", err)
		}
		t.Cleanup(func() { st.Close() })
		return st, func(t testing.TB) int64 {
			conn, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var n int64
			table := pgx.Identifier{schema, "audit_log"}.Sanitize()
			if err := conn.QueryRow(context.Background(), `SELECT pg_total_relation_size($1::regclass)`, table).Scan(&n); err != nil {
				t.Fatalf("audit_log size: %v", err)
			}
			return n
		}
	}
	path := filepath.Join(t.TempDir(), "history.db")
	st, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatalf("open bolt store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, func(t testing.TB) int64 {
		// bbolt allows one process one handle: measure with the store closed.
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		defer db.Close()
		var n int64
		_ = db.View(func(tx *bbolt.Tx) error { n = tx.Size(); return nil })
		return n
	}
}

// A viewer can no longer grow the audit log by a megabyte per request: 1,000 GETs of keys of
// 750 KB (as long as Go's default 1 MB header limit, which Serve keeps, lets a URL be) add 1,000
// records of about 1.5 KB each. Measured (go test ./opsproxy -run TestAuditOfOversizedKeysIsBounded
// -v): the whole bbolt store holds 2.1 MB of pages after them, PostgreSQL's audit_log grew by
// 1.7 MB; before the bound, 20 such GETs took a bbolt file from 17 to 58 MB. The test asserts the growth against the
// record count times the largest record (maxAuditRecordBytes), twice over for bbolt's
// half-full pages, not against the figures measured.
func TestAuditOfOversizedKeysIsBounded(t *testing.T) {
	const requests, keyLen = 1000, 750 * 1024
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			st, size := openSizedStore(t, kind)
			before := int64(0)
			if kind == postgresStore {
				before = size(t)
			}
			e := newEnv(t, envOptions{st: st})
			viewer := e.token(t, TokenSpec{Name: "volume-viewer", Role: "viewer"})
			key := strings.Repeat("v", keyLen)
			path := "/api/v1/clusters/c1/keys?key=" + url.QueryEscape(key)
			var wg sync.WaitGroup
			errs := make(chan string, requests)
			next := make(chan int, requests)
			for i := range requests {
				next <- i
			}
			close(next)
			for range 4 {
				wg.Go(func() {
					for range next {
						if r := e.call(t, "GET", path, viewer, nil); r.status != http.StatusOK {
							errs <- r.errorText(t)
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for msg := range errs {
				t.Fatalf("GET of a 750 KB key: %s", msg)
			}
			wantSize, wantSHA := store.ValueDigest([]byte(key))
			var gets []store.AuditRecord
			eventually(t, "every GET recorded", func() bool {
				gets = gets[:0]
				for _, r := range e.allAudit(t) {
					if r.Operation == "keys.get" {
						gets = append(gets, r)
					}
				}
				return len(gets) == requests
			})
			for _, r := range gets {
				if len(r.Key) != store.MaxAuditKeyLen || r.KeySize != wantSize || r.KeySHA256 != wantSHA {
					t.Fatalf("record %d keeps %d key bytes, size %d, sha256 %s; want %d, %d, %s",
						r.Seq, len(r.Key), r.KeySize, r.KeySHA256, store.MaxAuditKeyLen, wantSize, wantSHA)
				}
			}
			records := int64(len(e.allAudit(t)))
			e.close()
			grown := size(t) - before
			bound := records * int64(maxAuditRecordBytes(t))
			if kind == boltStore {
				bound *= 2
			}
			t.Logf("%s: %d records, store grew by %.1f MB (bound %.1f MB)", kind, records, float64(grown)/1e6, float64(bound)/1e6)
			if grown > bound {
				t.Fatalf("%d records grew the %s store by %d bytes, more than %d (records × the largest record)", records, kind, grown, bound)
			}
		})
	}
}

// A refused request (denied, or answered 4xx before it reached etcd) leaves no byte of the key
// its caller chose in the log, only the key's size and sha256: a 2 MB key costs the same few
// hundred bytes as a short one.
func TestRefusedRequestsRecordOnlyTheKeySizeAndDigest(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			editor := e.token(t, TokenSpec{Name: "refused-editor", Role: "editor", KeyPrefixes: []string{"/a/"}})
			long := "/b/" + strings.Repeat("x", 2<<20)
			cases := []struct {
				name   string
				token  string
				key    string
				status int
				want   store.Outcome
			}{
				{"outside the token's prefixes", editor, "/b/" + strings.Repeat("y", 5000), http.StatusForbidden, store.OutcomeDenied},
				{"larger than etcd accepts", e.admin, long, http.StatusRequestEntityTooLarge, store.OutcomeFailed},
				{"short key outside the prefixes", editor, "/b/short", http.StatusForbidden, store.OutcomeDenied},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", c.token, map[string]string{"key": c.key, "value": "v"})
					if r.status != c.status {
						t.Fatalf("put: %d %s, want %d", r.status, r.body, c.status)
					}
					recs := e.audit(t, r.header.Get(RequestIDHeader), 1)
					size, sha := store.ValueDigest([]byte(c.key))
					if got := recs[0]; got.Outcome != c.want || got.Key != nil || got.KeySize != size || got.KeySHA256 != sha {
						t.Fatalf("record: outcome %s, %d key bytes, size %d, sha256 %s; want %s, none, %d, %s",
							got.Outcome, len(got.Key), got.KeySize, got.KeySHA256, c.want, size, sha)
					}
				})
			}
			verifyOK(t, e)
		})
	}
}
