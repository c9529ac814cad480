package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

func testDSN(t testing.TB) string { return storetest.PostgresDSN(t) }

// backend is one schema of its own, dropped at cleanup.
type backend struct {
	dsn, schema string
}

func newBackend(t *testing.T) storetest.Backend {
	b := &backend{dsn: testDSN(t), schema: "store_test_" + store.NewID()[:12]}
	storetest.DropSchemaAtCleanup(t, b.dsn, b.schema)
	return b
}

func (b *backend) Open(t testing.TB) store.Store { return b.OpenKeepingConsoleEntries(t, 0) }

func (b *backend) OpenKeepingConsoleEntries(t testing.TB, perUser int) store.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), b.dsn, postgres.Options{Schema: b.schema, ConsoleHistoryPerUser: perUser})
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	return st
}

// connect opens a connection whose search_path is b's schema, creating the schema when
// create is set. The caller closes it.
func (b *backend) connect(t testing.TB, create bool) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if create {
		if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{b.schema}.Sanitize()); err != nil {
			conn.Close(ctx)
			t.Fatalf("create schema: %v", err)
		}
	}
	if _, err := conn.Exec(ctx, "SET search_path TO "+pgx.Identifier{b.schema}.Sanitize()); err != nil {
		conn.Close(ctx)
		t.Fatalf("set search_path: %v", err)
	}
	return conn
}

func (b *backend) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn := b.connect(t, false)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (b *backend) AlterAuditRecord(t testing.TB, seq int64, fn func(*store.AuditRecord)) {
	st := b.Open(t)
	page, err := st.QueryAudit(context.Background(), store.AuditFilter{Cursor: seq - 1, Limit: 1})
	st.Close()
	if err != nil || len(page.Records) != 1 || page.Records[0].Seq != seq {
		t.Fatalf("read record %d: %v", seq, err)
	}
	r := page.Records[0]
	fn(&r)
	b.exec(t, `UPDATE audit_log SET user_name = $2, operation = $3, outcome = $4, hash = $5, client_request_id = $6, command = $7 WHERE seq = $1`,
		seq, r.User, r.Operation, string(r.Outcome), r.Hash, r.ClientRequestID, r.Command)
}

func (b *backend) DeleteAuditRecord(t testing.TB, seq int64) {
	b.exec(t, `DELETE FROM audit_log WHERE seq = $1`, seq)
}

func TestContract(t *testing.T) {
	storetest.Run(t, newBackend)
}

func TestOpenMigratesOnceAndIsIdempotent(t *testing.T) {
	b := newBackend(t).(*backend)
	for range 3 {
		b.Open(t).Close()
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, tables int
	// migrations/ are numbered below 1000; timescale/ (only with TimescaleDB) from 1001.
	if err := conn.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s.schema_migrations WHERE version < 1000`, pgx.Identifier{b.schema}.Sanitize())).Scan(&n); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = $1`, b.schema).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(files) || tables != 14 {
		t.Fatalf("after three opens: %d migrations recorded and %d tables, want %d and 14", n, tables, len(files))
	}
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	b := newBackend(t).(*backend)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			st, err := postgres.Open(context.Background(), b.dsn, postgres.Options{Schema: b.schema})
			if err == nil {
				st.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent open: %v", err)
		}
	}
}

func TestOpenUsesPlainTablesWithoutTimescale(t *testing.T) {
	b := newBackend(t).(*backend)
	st, err := postgres.Open(context.Background(), b.dsn, postgres.Options{Schema: b.schema})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, b.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var available bool
	if err := conn.QueryRow(ctx, `SELECT exists(SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')`).Scan(&available); err != nil {
		t.Fatal(err)
	}
	if !available && st.Timescale() {
		t.Fatalf("store reports TimescaleDB on a server without the extension")
	}
	if !available {
		var def string
		if err := conn.QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'audit_log_time_idx'`, b.schema).Scan(&def); err != nil || !strings.Contains(def, "USING brin") {
			t.Fatalf("time index on audit_log: %q, %v; want a BRIN index", def, err)
		}
	}
}

func TestOpenNeverShowsDSNPassword(t *testing.T) {
	const pw = "s3cr3t-Pa55"
	dsns := []string{
		"postgres://alice:" + pw + "@127.0.0.1:1/test?sslmode=disable&connect_timeout=2",
		"postgres://alice:" + pw + "@127.0.0.1:notaport/test",
		"postgres://alice:" + pw + "@[::1/test",
		"postgres://127.0.0.1:1/test?user=alice&password=" + pw + "&sslmode=disable&connect_timeout=2",
		"postgres://127.0.0.1/test?password=" + pw + "&sslmode=bogus",
		"host=127.0.0.1 port=1 user=alice password=" + pw + " dbname=test sslmode=disable connect_timeout=2",
		"host=127.0.0.1 port=1 user=alice password='" + pw + " quoted' dbname=test connect_timeout=2",
		"host=127.0.0.1 user=alice password=" + pw + " sslmode=nonsense",
		"host=127.0.0.1 password=" + pw + " unterminated='oops",
	}
	for _, dsn := range dsns {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		st, err := postgres.Open(ctx, dsn, postgres.Options{})
		cancel()
		if err == nil {
			st.Close()
			t.Fatalf("open %q succeeded, want an error", strings.ReplaceAll(dsn, pw, "<pw>"))
		}
		if strings.Contains(err.Error(), pw) || strings.Contains(fmt.Sprintf("%+v", err), pw) {
			t.Fatalf("error shows the password: %v", err)
		}
		t.Logf("%s", err)
	}
}

func TestOpenErrorWithAOneLetterPasswordStaysReadable(t *testing.T) {
	// Every secret is replaced once: a password found inside the placeholder (or inside
	// another secret) is not replaced again, which once grew each "x" of a message to 625.
	for _, dsn := range []string{
		// pgx quotes an unparsable DSN with the password as "xxxxx".
		"postgres://alice:x@127.0.0.1:notaport/test",
		"host=127.0.0.1 port=1 user=alice password=x dbname=test sslmode=nonsense",
		"postgres://alice:x@127.0.0.1:1/test?sslmode=disable&connect_timeout=2",
		// The server's answer ("does not exist") has an x of its own.
		"postgres://postgres:x@127.0.0.1:5432/no_such_database?sslmode=disable&connect_timeout=5",
	} {
		_, err := postgres.Open(context.Background(), dsn, postgres.Options{})
		if err == nil {
			t.Fatalf("open %q succeeded, want an error", dsn)
		}
		if msg := err.Error(); len(msg) > 300 {
			t.Fatalf("error grew unreadable (%d bytes): %.200s", len(msg), msg)
		}
	}
}

func TestOpenNamesTheProblemWithABadDSN(t *testing.T) {
	tests := []struct {
		dsn, want string
	}{
		{"postgres://u:pw@127.0.0.1:notaport/test", "postgres dsn"},
		{"host=127.0.0.1 sslmode=nonsense", "sslmode"},
		{"postgres://127.0.0.1:1/test?sslmode=disable&connect_timeout=2", "connect to postgres"},
	}
	for _, tc := range tests {
		st, err := postgres.Open(context.Background(), tc.dsn, postgres.Options{})
		if err == nil {
			st.Close()
			t.Fatalf("open %q succeeded", tc.dsn)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("open %q: %v, want it to mention %q", tc.dsn, err, tc.want)
		}
	}
	if _, err := postgres.Open(context.Background(), "host=127.0.0.1 sslmode=nonsense", postgres.Options{}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("unparsable dsn: %v, want ErrInvalid", err)
	}
}

// auditRec is a valid record for appends.
func auditRec(i int) store.AuditRecord {
	return store.AuditRecord{RequestID: fmt.Sprint(i), User: "u", Cluster: "c1", Operation: "keys.put",
		Outcome: store.OutcomeAttempted}
}

func TestAppendAuditFromTwoProcessesKeepsOneChain(t *testing.T) {
	b := newBackend(t).(*backend)
	one, two := b.Open(t), b.Open(t)
	defer one.Close()
	defer two.Close()
	ctx := context.Background()
	// Alternating: each store's remembered head is stale every time.
	for i := range 10 {
		st := []store.Store{one, two}[i%2]
		out, err := st.AppendAudit(ctx, auditRec(2*i), auditRec(2*i+1))
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		if out[0].Seq != int64(2*i+1) {
			t.Fatalf("append %d: first seq %d, want %d", i, out[0].Seq, 2*i+1)
		}
	}
	// Concurrently from both, several goroutines each.
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			st := []store.Store{one, two}[g%2]
			for i := range 20 {
				if _, err := st.AppendAudit(ctx, auditRec(1000*g+i)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent append: %v", err)
		}
	}
	v, err := one.VerifyAudit(ctx)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !v.OK() || v.Checked != 20+8*20 {
		t.Fatalf("verification %+v, want intact with %d records", v, 20+8*20)
	}
}

func TestAppendAuditAfterHeadChangedBehindItsBack(t *testing.T) {
	b := newBackend(t).(*backend)
	st := b.Open(t)
	defer st.Close()
	ctx := context.Background()
	if _, err := st.AppendAudit(ctx, auditRec(0)); err != nil {
		t.Fatalf("append: %v", err)
	}
	// Another writer's record, appended with a store this one knows nothing of.
	other := b.Open(t)
	if _, err := other.AppendAudit(ctx, auditRec(1)); err != nil {
		t.Fatalf("append from the other store: %v", err)
	}
	other.Close()
	out, err := st.AppendAudit(ctx, auditRec(2))
	if err != nil {
		t.Fatalf("append after the head moved: %v", err)
	}
	if out[0].Seq != 3 {
		t.Fatalf("seq %d, want 3", out[0].Seq)
	}
	if v, err := st.VerifyAudit(ctx); err != nil || !v.OK() || v.Checked != 3 {
		t.Fatalf("verification %+v (%v), want intact with 3 records", v, err)
	}
}

func BenchmarkAuditAppend(b *testing.B) {
	dsn := testDSN(b)
	storetest.BenchmarkAppend(b, func(b *testing.B) store.Store {
		schema := "store_bench_" + store.NewID()[:12]
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			b.Fatalf("open: %v", err)
		}
		storetest.DropSchemaAtCleanup(b, dsn, schema)
		return st
	})
}

func BenchmarkCreateJobs(b *testing.B) {
	dsn := testDSN(b)
	storetest.BenchmarkCreateJobs(b, func(b *testing.B) store.Store {
		schema := "store_bench_" + store.NewID()[:12]
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			b.Fatalf("open: %v", err)
		}
		storetest.DropSchemaAtCleanup(b, dsn, schema)
		return st
	})
}

// BenchmarkConsoleHistoryAtTheBound measures one user's console history holding its 10,000
// entries (loaded by SQL), as opsproxy's console uses it: appends, each of which also drops the
// oldest entry past the bound; the first page; a search.
func BenchmarkConsoleHistoryAtTheBound(b *testing.B) {
	dsn := testDSN(b)
	schema := "store_bench_" + store.NewID()[:12]
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		b.Fatalf("open: %v", err)
	}
	storetest.DropSchemaAtCleanup(b, dsn, schema)
	defer st.Close()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	// Other users' entries too: the index must keep each user's walk to their own.
	if _, err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %s.console_history (id, user_name, cluster, line, time, exit_code, duration_ns)
		SELECT 'seed-' || u || '-' || i, 'user-' || u, 'c1', 'get /registry/pods/ns-' || i || ' --prefix', now() - (i || ' seconds')::interval, 0, 1000
		FROM generate_series(1, %d) AS i, generate_series(1, 5) AS u`, pgx.Identifier{schema}.Sanitize(), store.DefaultConsoleHistoryPerUser)); err != nil {
		b.Fatalf("seed: %v", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`INSERT INTO %s.console_counts (user_name, entries) SELECT 'user-' || u, %d FROM generate_series(1, 5) AS u`,
		pgx.Identifier{schema}.Sanitize(), store.DefaultConsoleHistoryPerUser)); err != nil {
		b.Fatalf("seed counts: %v", err)
	}
	for _, user := range []string{"user-1", "new-user"} {
		// user-1 is at the bound (each append drops one); new-user far below it.
		b.Run("append/"+user, func(b *testing.B) {
			for b.Loop() {
				if _, err := st.AppendConsoleEntry(ctx, store.ConsoleEntry{User: user, Cluster: "c1", Line: "get /a"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("first-page", func(b *testing.B) {
		for b.Loop() {
			if page, err := st.ListConsoleHistory(ctx, store.ConsoleHistoryFilter{User: "user-2"}); err != nil || len(page.Entries) != 100 {
				b.Fatalf("%d entries, %v", len(page.Entries), err)
			}
		}
	})
	b.Run("search", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.ListConsoleHistory(ctx, store.ConsoleHistoryFilter{User: "user-2", Contains: "NS-9999 "}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
