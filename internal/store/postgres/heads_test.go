package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// connectSchema opens a connection whose search_path is b's schema (created if missing),
// closed at cleanup.
func (b *backend) connectSchema(t *testing.T) *pgx.Conn {
	t.Helper()
	conn := b.connect(t, true)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// A snapshot held open elsewhere (pg_dump, a long report) keeps every row
// version written after it. Appends must not update a row in place, or each
// append walks more dead versions of it than the last.
func TestAppendAuditUpdatesNoRowUnderALongSnapshot(t *testing.T) {
	b := newBackend(t).(*backend)
	st := b.Open(t)
	defer st.Close()
	ctx := context.Background()
	if _, err := st.AppendAudit(ctx, auditRec(0)); err != nil {
		t.Fatalf("append: %v", err)
	}
	long := b.connectSchema(t)
	if _, err := long.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ"); err != nil {
		t.Fatal(err)
	}
	var before int64
	if err := long.QueryRow(ctx, "SELECT count(*) FROM audit_log").Scan(&before); err != nil {
		t.Fatal(err)
	}
	probe := b.connectSchema(t)
	versions := func() (chain string, heads int64) {
		t.Helper()
		if err := probe.QueryRow(ctx, "SELECT ctid::text FROM audit_chain").Scan(&chain); err != nil {
			t.Fatal(err)
		}
		if err := probe.QueryRow(ctx, "SELECT count(*) FROM audit_heads").Scan(&heads); err != nil {
			t.Fatal(err)
		}
		return chain, heads
	}
	chain0, heads0 := versions()
	const batches = 200
	for i := range batches {
		if _, err := st.AppendAudit(ctx, auditRec(2*i+1), auditRec(2*i+2)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	chain1, heads1 := versions()
	if chain1 != chain0 {
		t.Errorf("audit_chain row moved from %s to %s: appends updated it", chain0, chain1)
	}
	if heads1-heads0 != batches {
		t.Errorf("audit_heads grew by %d rows for %d batches, want one insert per batch", heads1-heads0, batches)
	}
	if _, err := long.Exec(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if v, err := st.VerifyAudit(ctx); err != nil || !v.OK() || v.Checked != 1+2*batches {
		t.Fatalf("verification %+v (%v), want intact with %d records", v, err, 1+2*batches)
	}
}

// A database written before migration 0003 keeps its chain: the head moves
// from audit_chain to audit_heads, and the next record links onto it.
func TestMigrationCarriesTheChainHeadOver(t *testing.T) {
	b := newBackend(t).(*backend)
	ctx := context.Background()
	conn := b.connectSchema(t)
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (
		version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for i, file := range []string{"0001_init.sql", "0002_audit_write_indexes.sql"} {
		v := i + 1
		sql, err := os.ReadFile("migrations/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, string(sql)); err != nil {
			t.Fatalf("apply %s: %v", file, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, v, file); err != nil {
			t.Fatal(err)
		}
	}
	// Three records written as the code before 0003 did: rows, then the head.
	recs, err := store.PrepareAuditRecords([]store.AuditRecord{auditRec(0), auditRec(1), auditRec(2)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	chain := store.NewChain(store.ChainPoint{})
	for i := range recs {
		r := &recs[i]
		chain.Link(r)
		if _, err := conn.Exec(ctx, `INSERT INTO audit_log (seq, time, request_id, user_name, token_id, role, source,
			cluster, operation, key, range_end, value_size, value_sha256, outcome, error, duration_ns, prev_hash, hash)
			VALUES ($1, $2, $3, $4, '', '', '', $5, $6, ''::bytea, ''::bytea, 0, '', $7, '', 0, $8, $9)`,
			r.Seq, r.Time, r.RequestID, r.User, r.Cluster, r.Operation, string(r.Outcome), r.PrevHash, r.Hash); err != nil {
			t.Fatalf("insert record %d: %v", r.Seq, err)
		}
	}
	head := chain.Head()
	if _, err := conn.Exec(ctx, `UPDATE audit_chain SET head_seq = $1, head_hash = $2`, head.Seq, head.Hash); err != nil {
		t.Fatal(err)
	}
	st := b.Open(t)
	defer st.Close()
	out, err := st.AppendAudit(ctx, auditRec(3))
	if err != nil {
		t.Fatalf("append after the migration: %v", err)
	}
	if out[0].Seq != 4 {
		t.Fatalf("first seq after the migration %d, want 4", out[0].Seq)
	}
	if v, err := st.VerifyAudit(ctx); err != nil || !v.OK() || v.Checked != 4 || v.Head.Seq != 4 {
		t.Fatalf("verification %+v (%v), want intact with 4 records up to 4", v, err)
	}
}
