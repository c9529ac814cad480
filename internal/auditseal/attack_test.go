package auditseal_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// backend is a store and someone who can write its storage directly. The
// attacks are made while no store from open is open, and recompute hashes
// with store.ChainHash as an attacker who read the code would.
type backend interface {
	open(t testing.TB) store.Store
	// rewrite edits record seq with fn and recomputes the hashes of it and
	// every later record, and the head.
	rewrite(t testing.TB, seq int64, fn func(*store.AuditRecord))
	// truncate removes the records after keep and makes keep the head.
	truncate(t testing.TB, keep int64)
	// deleteCheckpoints removes the checkpoints from seq on.
	deleteCheckpoints(t testing.TB, from int64)
	// moveAnchor removes the records up to seq and makes seq the anchor.
	moveAnchor(t testing.TB, seq int64)
}

var backends = map[string]func(t *testing.T) backend{
	"bolt":       newBoltBackend,
	"postgresql": newPostgresBackend,
}

// allRecords reads every record of b through the store.
func allRecords(t testing.TB, b backend) []store.AuditRecord {
	t.Helper()
	st := b.open(t)
	defer st.Close()
	page, err := st.QueryAudit(context.Background(), store.AuditFilter{Limit: store.MaxAuditLimit})
	if err != nil {
		t.Fatalf("read records: %v", err)
	}
	return page.Records
}

// rehash applies fn to the record seq of recs and recomputes the chain from
// there; it returns the changed records.
func rehash(recs []store.AuditRecord, seq int64, fn func(*store.AuditRecord)) []store.AuditRecord {
	var changed []store.AuditRecord
	for i := range recs {
		r := &recs[i]
		switch {
		case r.Seq < seq:
			continue
		case r.Seq == seq:
			fn(r)
		default:
			r.PrevHash = recs[i-1].Hash
		}
		r.Hash = store.ChainHash(r.PrevHash, r)
		changed = append(changed, *r)
	}
	return changed
}

type boltBackend struct{ path string }

func newBoltBackend(t *testing.T) backend {
	return &boltBackend{path: filepath.Join(t.TempDir(), "store.db")}
}

func (b *boltBackend) open(t testing.TB) store.Store {
	t.Helper()
	st, err := bolt.Open(b.path, bolt.Options{})
	if err != nil {
		t.Fatalf("open bolt store: %v", err)
	}
	return st
}

func (b *boltBackend) edit(t testing.TB, fn func(tx *bbolt.Tx) error) {
	t.Helper()
	db, err := bbolt.Open(b.path, 0o600, nil)
	if err != nil {
		t.Fatalf("open bolt file: %v", err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatalf("edit bolt file: %v", err)
	}
}

func seqKey(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

func putPoint(tx *bbolt.Tx, key string, seq int64, hash []byte) error {
	return tx.Bucket([]byte("meta")).Put([]byte(key), append(seqKey(seq), hash...))
}

func (b *boltBackend) rewrite(t testing.TB, seq int64, fn func(*store.AuditRecord)) {
	changed := rehash(allRecords(t, b), seq, fn)
	b.edit(t, func(tx *bbolt.Tx) error {
		for _, r := range changed {
			v, err := json.Marshal(&r)
			if err != nil {
				return err
			}
			if err := tx.Bucket([]byte("audit")).Put(seqKey(r.Seq), v); err != nil {
				return err
			}
		}
		last := changed[len(changed)-1]
		return putPoint(tx, "audit_head", last.Seq, last.Hash)
	})
}

func (b *boltBackend) truncate(t testing.TB, keep int64) {
	recs := allRecords(t, b)
	b.edit(t, func(tx *bbolt.Tx) error {
		for _, r := range recs[keep-recs[0].Seq+1:] {
			if err := tx.Bucket([]byte("audit")).Delete(seqKey(r.Seq)); err != nil {
				return err
			}
		}
		return putPoint(tx, "audit_head", keep, recs[keep-recs[0].Seq].Hash)
	})
}

func (b *boltBackend) deleteCheckpoints(t testing.TB, from int64) {
	b.edit(t, func(tx *bbolt.Tx) error {
		c := tx.Bucket([]byte("audit_checkpoints")).Cursor()
		for k, _ := c.Seek(seqKey(from)); k != nil; k, _ = c.Seek(seqKey(from)) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *boltBackend) moveAnchor(t testing.TB, seq int64) {
	recs := allRecords(t, b)
	b.edit(t, func(tx *bbolt.Tx) error {
		for _, r := range recs[:seq-recs[0].Seq+1] {
			if err := tx.Bucket([]byte("audit")).Delete(seqKey(r.Seq)); err != nil {
				return err
			}
		}
		return putPoint(tx, "audit_anchor", seq, recs[seq-recs[0].Seq].Hash)
	})
}

type postgresBackend struct{ dsn, schema string }

func newPostgresBackend(t *testing.T) backend {
	b := &postgresBackend{dsn: storetest.PostgresDSN(t), schema: "auditseal_test_" + store.NewID()[:12]}
	storetest.DropSchemaAtCleanup(t, b.dsn, b.schema)
	return b
}

func (b *postgresBackend) open(t testing.TB) store.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), b.dsn, postgres.Options{Schema: b.schema})
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	return st
}

// sql runs statements in one transaction as the database's superuser would.
func (b *postgresBackend) sql(t testing.TB, fn func(tx pgx.Tx) error) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET search_path TO "+pgx.Identifier{b.schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, conn, fn); err != nil {
		t.Fatalf("attack by SQL: %v", err)
	}
}

func (b *postgresBackend) rewrite(t testing.TB, seq int64, fn func(*store.AuditRecord)) {
	changed := rehash(allRecords(t, b), seq, fn)
	ctx := context.Background()
	b.sql(t, func(tx pgx.Tx) error {
		for _, r := range changed {
			if _, err := tx.Exec(ctx, `UPDATE audit_log SET user_name = $2, operation = $3, prev_hash = $4, hash = $5 WHERE seq = $1`,
				r.Seq, r.User, r.Operation, r.PrevHash, r.Hash); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE audit_heads SET hash = $2 WHERE seq = $1`, r.Seq, r.Hash); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *postgresBackend) truncate(t testing.TB, keep int64) {
	recs := allRecords(t, b)
	ctx := context.Background()
	b.sql(t, func(tx pgx.Tx) error {
		for _, q := range []string{`DELETE FROM audit_log WHERE seq > $1`, `DELETE FROM audit_heads WHERE seq > $1`} {
			if _, err := tx.Exec(ctx, q, keep); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_heads (seq, prev_seq, hash) VALUES ($1, NULL, $2) ON CONFLICT (seq) DO NOTHING`,
			keep, recs[keep-recs[0].Seq].Hash)
		return err
	})
}

func (b *postgresBackend) deleteCheckpoints(t testing.TB, from int64) {
	b.sql(t, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `DELETE FROM audit_checkpoints WHERE seq >= $1`, from)
		return err
	})
}

func (b *postgresBackend) moveAnchor(t testing.TB, seq int64) {
	recs := allRecords(t, b)
	ctx := context.Background()
	b.sql(t, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM audit_log WHERE seq <= $1`, seq); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2`, seq, recs[seq-recs[0].Seq].Hash)
		return err
	})
}
