package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// roleSQL returns the two SQL blocks of docs/security.md (roles, then
// grants) with the roles and the schema renamed by rename.
func roleSQL(t *testing.T, rename *strings.Replacer) (roles, grants string) {
	t.Helper()
	doc, err := os.ReadFile("../../../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) != 2 {
		t.Fatalf("docs/security.md has %d sql blocks, want 2 (roles, grants)", len(blocks))
	}
	return rename.Replace(blocks[0][1]), rename.Replace(blocks[1][1])
}

// dsnAs is dsn with user as the user.
func dsnAs(t *testing.T, dsn, user string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("the test DSN is not a URL: %v", err)
	}
	u.User = url.User(user)
	return u.String()
}

func execAll(t *testing.T, dsn, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestRuntimeRoleAppendsButCannotChangeAuditHistory(t *testing.T) {
	dsn := testDSN(t)
	id := store.NewID()[:10]
	owner, app, prune, schema := "em_owner_"+id, "em_app_"+id, "em_prune_"+id, "em_roles_"+id
	rename := strings.NewReplacer("etcd_monitor_owner", owner, "etcd_monitor_app", app,
		"etcd_monitor_prune", prune, "etcd_monitor", schema)
	roles, grants := roleSQL(t, rename)
	t.Cleanup(func() {
		for _, r := range []string{app, prune, owner} {
			execAll(t, dsn, "DROP OWNED BY "+r+" CASCADE; DROP ROLE "+r)
		}
	})
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	execAll(t, dsn, roles)
	ctx := context.Background()
	if _, err := postgres.Migrate(ctx, dsnAs(t, dsn, owner), postgres.Options{Schema: schema}); err != nil {
		t.Fatalf("migrate as the owner: %v", err)
	}
	execAll(t, dsn, grants)

	appDSN := dsnAs(t, dsn, app)
	st, err := postgres.Open(ctx, appDSN, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatalf("open as the runtime role: %v", err)
	}
	defer st.Close()
	recs, err := st.AppendAudit(ctx, auditRec(1), auditRec(2))
	if err != nil {
		t.Fatalf("append as the runtime role: %v", err)
	}
	cp := store.Checkpoint{Kind: store.CheckpointHead, Seq: 2, Hash: recs[1].Hash, Time: time.Now(),
		Anchor: store.ChainPoint{Hash: store.GenesisHash}, KeyID: "k", Signature: []byte{1}}
	if err := st.AppendCheckpoint(ctx, cp); err != nil {
		t.Fatalf("append checkpoint as the runtime role: %v", err)
	}
	if cps, err := st.Checkpoints(ctx, store.CheckpointFilter{}); err != nil || len(cps) != 1 {
		t.Fatalf("checkpoints as the runtime role: %d, %v", len(cps), err)
	}
	if v, err := st.VerifyAudit(ctx); err != nil || !v.OK() || v.Checked != 2 {
		t.Fatalf("verify as the runtime role: %+v, %v", v, err)
	}
	if page, err := st.QueryAudit(ctx, store.AuditFilter{User: "u"}); err != nil || len(page.Records) != 2 {
		t.Fatalf("query as the runtime role: %+v, %v", page, err)
	}
	tok := store.Token{ID: "t1", Name: "ci", Role: "viewer", SecretHash: store.HashSecret("s3cret")}
	if err := st.CreateToken(ctx, tok); err != nil {
		t.Fatalf("create token: %v", err)
	}
	if _, err := st.RevokeToken(ctx, "t1", time.Now()); err != nil {
		t.Fatalf("revoke token as the runtime role: %v", err)
	}
	sc, err := st.CreateSchedule(ctx, store.Schedule{Name: "nightly", Kind: "defrag", Cluster: "prod", Cron: "@daily"})
	if err != nil {
		t.Fatalf("create schedule as the runtime role: %v", err)
	}
	if ok, err := st.AdvanceSchedule(ctx, sc.ID, time.Now(), "job-1", 0); err != nil || !ok {
		t.Fatalf("advance schedule as the runtime role: %v, %v", ok, err)
	}
	if err := st.DeleteSchedule(ctx, sc.ID); err != nil {
		t.Fatalf("delete schedule as the runtime role: %v", err)
	}
	for i := range 3 {
		if _, err := st.AppendConsoleEntry(ctx, store.ConsoleEntry{User: "u", Cluster: "prod", Line: "get /a"}); err != nil {
			t.Fatalf("append console entry %d as the runtime role: %v", i, err)
		}
	}
	if err := st.SetConsoleSettings(ctx, "u", store.ConsoleSettings{KeepValues: true}); err != nil {
		t.Fatalf("set console settings as the runtime role: %v", err)
	}
	if err := st.SetConsoleSettings(ctx, "u", store.ConsoleSettings{}); err != nil {
		t.Fatalf("change console settings as the runtime role: %v", err)
	}
	if n, err := st.ClearConsoleHistory(ctx, "u"); err != nil || n != 3 {
		t.Fatalf("clear console history as the runtime role: %d, %v", n, err)
	}
	if _, err := st.PruneAudit(ctx, time.Now()); !isPermissionDenied(err) {
		t.Fatalf("prune as the runtime role: %v, want permission denied", err)
	}

	// A database writer with the runtime role's credentials.
	conn, err := pgx.Connect(ctx, appDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET search_path TO "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE audit_log SET user_name = 'mallory' WHERE seq = 1`,
		`DELETE FROM audit_log WHERE seq = 2`,
		`UPDATE audit_heads SET hash = '\x00' WHERE seq = 2`,
		`DELETE FROM audit_heads WHERE seq = 2`,
		`UPDATE audit_checkpoints SET hash = '\x00'`,
		`DELETE FROM audit_checkpoints`,
		`UPDATE audit_chain SET anchor_seq = 1`,
		`TRUNCATE audit_log`,
		`CREATE TABLE sneaky (x int)`,
	} {
		if _, err := conn.Exec(ctx, sql); !isPermissionDenied(err) {
			t.Errorf("%s as the runtime role: %v, want permission denied", sql, err)
		}
	}
	var canCreate bool
	if err := conn.QueryRow(ctx, `SELECT has_schema_privilege($1, 'CREATE') OR has_database_privilege(current_database(), 'CREATE')`, schema).Scan(&canCreate); err != nil || canCreate {
		t.Fatalf("the runtime role may create (%v, %v): the test proves nothing about Open", canCreate, err)
	}

	// Retention as the prune role.
	pst, err := postgres.Open(ctx, dsnAs(t, dsn, prune), postgres.Options{Schema: schema})
	if err != nil {
		t.Fatalf("open as the prune role: %v", err)
	}
	defer pst.Close()
	if res, err := pst.PruneAudit(ctx, time.Now().Add(time.Hour)); err != nil || res.Anchor.Seq != 2 {
		t.Fatalf("prune as the prune role: %+v, %v", res, err)
	}
	if err := pst.AppendCheckpoint(ctx, cp); err != nil {
		t.Fatalf("sign the anchor as the prune role: %v", err)
	}
}

func TestOpenNamesTheMissingMigrationWhenItMayNotMigrate(t *testing.T) {
	dsn := testDSN(t)
	id := store.NewID()[:10]
	app, schema := "em_app_"+id, "em_behind_"+id
	t.Cleanup(func() { execAll(t, dsn, "DROP OWNED BY "+app+" CASCADE; DROP ROLE "+app) })
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	ctx := context.Background()
	if _, err := postgres.Migrate(ctx, dsn, postgres.Options{Schema: schema}); err != nil {
		t.Fatal(err)
	}
	q := pgx.Identifier{schema}.Sanitize()
	execAll(t, dsn, "CREATE ROLE "+app+" LOGIN; GRANT USAGE ON SCHEMA "+q+" TO "+app+"; GRANT SELECT ON ALL TABLES IN SCHEMA "+q+" TO "+app+
		"; DROP TABLE "+q+".audit_checkpoints; DELETE FROM "+q+".schema_migrations WHERE version = 4")
	_, err := postgres.Open(ctx, dsnAs(t, dsn, app), postgres.Options{Schema: schema})
	var behind *postgres.BehindError
	if !errors.As(err, &behind) || !strings.Contains(err.Error(), "0004_audit_checkpoints") || !strings.Contains(err.Error(), "etcd-monitor store migrate") {
		t.Fatalf("open of a schema behind, as a role that may not migrate: %v", err)
	}
}

func isPermissionDenied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}
