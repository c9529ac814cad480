package opsproxy

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

func TestAuditQueryFiltersAndExportsCSV(t *testing.T) {
	e := newEnv(t, envOptions{store: postgresStore})
	p := uniquePrefix(t)
	viewer := e.token(t, TokenSpec{Name: "vera", Role: "viewer"})
	scoped := e.token(t, TokenSpec{Name: "scoped", Role: "viewer", Clusters: []string{"c1"}})
	put := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": p + "a", "value": "1"})
	e.audit(t, put.header.Get(RequestIDHeader), 2)
	e.call(t, "PUT", "/api/v1/clusters/c1/keys", viewer, map[string]any{"key": p + "a", "value": "2"})
	last := e.call(t, "GET", "/api/v1/clusters/c1/keys?key="+url.QueryEscape(p+"a"), viewer, nil)
	e.audit(t, last.header.Get(RequestIDHeader), 1)

	cases := []struct {
		name  string
		query string
		token string
		check func(t *testing.T, recs []store.AuditRecord)
	}{
		{"by user and outcome", "user=vera&outcome=denied", viewer, func(t *testing.T, recs []store.AuditRecord) {
			if len(recs) != 1 || recs[0].Operation != "keys.put" {
				t.Fatalf("records %+v", recs)
			}
		}},
		{"by operation, newest first", "operation=keys.put&order=desc", viewer, func(t *testing.T, recs []store.AuditRecord) {
			if len(recs) != 3 || recs[0].Seq < recs[2].Seq || recs[0].Outcome != store.OutcomeDenied {
				t.Fatalf("records %+v", recs)
			}
		}},
		{"limited token sees its cluster only", "", scoped, func(t *testing.T, recs []store.AuditRecord) {
			for _, r := range recs {
				if r.Cluster != "c1" {
					t.Fatalf("record of cluster %q shown to a c1 token", r.Cluster)
				}
			}
		}},
		{"time range in the future is empty", "from=2099-01-01T00:00:00Z", viewer, func(t *testing.T, recs []store.AuditRecord) {
			if len(recs) != 0 {
				t.Fatalf("records %+v", recs)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/audit?"+c.query, c.token, nil)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var page store.AuditPage
			r.json(t, &page)
			c.check(t, page.Records)
		})
	}
	bad := []struct{ query, want string }{
		{"outcome=maybe", "outcome: want attempted, succeeded, failed or denied"},
		{"from=yesterday", "from: want an RFC 3339 time"},
		{"from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from must be before to"},
		{"format=xml", "format: want json or csv"},
	}
	for _, b := range bad {
		t.Run(b.query, func(t *testing.T) {
			r := e.call(t, "GET", "/api/v1/audit?"+b.query, viewer, nil)
			if r.status != 400 || !strings.Contains(r.errorText(t), b.want) {
				t.Fatalf("status %d body %s, want 400 with %q", r.status, r.body, b.want)
			}
		})
	}

	r := e.call(t, "GET", "/api/v1/audit?operation=keys.put", viewer, nil, "Accept", "text/csv")
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil || r.status != 200 {
		t.Fatalf("csv: %d %v\n%s", r.status, err, r.body)
	}
	if strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") || len(rows) != 4 || rows[1][9] != p+"a" || rows[1][13] != "attempted" {
		t.Fatalf("csv rows %q", rows)
	}
}

func TestAuditVerificationFindsTheFirstAlteredRecord(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	schema := "opsproxy_test_" + store.NewID()[:12]
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := newEnv(t, envOptions{st: st})
	p := uniquePrefix(t)
	for i := range 3 {
		r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": p + "k", "value": strings.Repeat("v", i+1)})
		if r.status != 200 {
			t.Fatalf("put: %d %s", r.status, r.body)
		}
		e.audit(t, r.header.Get(RequestIDHeader), 2)
	}
	var out struct {
		OK           bool
		Verification store.AuditVerification
	}
	r := e.call(t, "GET", "/api/v1/audit/verify", e.admin, nil)
	r.json(t, &out)
	if r.status != 200 || !out.OK || out.Verification.Checked < 6 {
		t.Fatalf("intact log: %d %s", r.status, r.body)
	}
	var buf bytes.Buffer
	if code := VerifyAudit(context.Background(), st, &buf); code != 0 || !strings.Contains(buf.String(), "audit log intact") {
		t.Fatalf("verify command: %d %s", code, buf.String())
	}

	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "UPDATE "+pgx.Identifier{schema, "audit_log"}.Sanitize()+" SET user_name = 'someone-else' WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	r = e.call(t, "GET", "/api/v1/audit/verify", e.admin, nil)
	r.json(t, &out)
	if r.status != 200 || out.OK || out.Verification.Break == nil || out.Verification.Break.Seq != 3 {
		t.Fatalf("altered log: %d %s", r.status, r.body)
	}
	buf.Reset()
	if code := VerifyAudit(context.Background(), st, &buf); code != 1 || !strings.Contains(buf.String(), "BROKEN at record 3") {
		t.Fatalf("verify command on an altered log: %d %s", code, buf.String())
	}
}

// request_id selects the records of one request, as JSON and as CSV: a mutation's attempt and
// outcome, and nothing of other requests.
func TestAuditQueryByRequestIDReturnsEveryRecordOfTheRequest(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			p := uniquePrefix(t)
			viewer := e.token(t, TokenSpec{Name: "vera", Role: "viewer"})
			// Both clients name their request "ticket-4711": the server's ids tell them apart.
			put := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": p + "a", "value": "1"}, RequestIDHeader, "ticket-4711")
			id := put.header.Get(RequestIDHeader)
			if put.status != 200 || id == "ticket-4711" || put.header.Get(ClientRequestIDHeader) != "ticket-4711" {
				t.Fatalf("put: %d %s (request id %q, client's %q)", put.status, put.body, id, put.header.Get(ClientRequestIDHeader))
			}
			other := e.call(t, "GET", "/api/v1/clusters/c1/keys?key="+url.QueryEscape(p+"a"), viewer, nil, RequestIDHeader, "ticket-4711")
			e.audit(t, id, 2)
			e.audit(t, other.header.Get(RequestIDHeader), 1)

			r := e.call(t, "GET", "/api/v1/audit?request_id="+id, viewer, nil)
			var page store.AuditPage
			r.json(t, &page)
			if r.status != 200 || len(page.Records) != 2 || page.Records[0].Outcome != store.OutcomeAttempted ||
				page.Records[1].Outcome != store.OutcomeSucceeded {
				t.Fatalf("request_id: %d %s, want the attempt and the success", r.status, r.body)
			}
			for _, rec := range page.Records {
				if rec.RequestID != id || rec.ClientRequestID != "ticket-4711" || rec.Operation != "keys.put" {
					t.Fatalf("record of another request: %+v", rec)
				}
			}

			r = e.call(t, "GET", "/api/v1/audit?request_id="+id+"&outcome=succeeded", viewer, nil)
			r.json(t, &page)
			if r.status != 200 || len(page.Records) != 1 || page.Records[0].Outcome != store.OutcomeSucceeded {
				t.Fatalf("request_id and outcome: %d %s", r.status, r.body)
			}

			r = e.call(t, "GET", "/api/v1/audit?format=csv&request_id="+id, viewer, nil)
			rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
			if err != nil || r.status != 200 || len(rows) != 3 {
				t.Fatalf("csv: %d %v\n%s", r.status, err, r.body)
			}
			clientID := slices.Index(rows[0], "client_request_id")
			for _, row := range rows[1:] {
				if row[2] != id || clientID < 0 || row[clientID] != "ticket-4711" {
					t.Fatalf("csv row of another request: %q", row)
				}
			}

			r = e.call(t, "GET", "/api/v1/audit?request_id="+url.QueryEscape("no such id"), viewer, nil)
			if r.status != 400 || !strings.Contains(r.errorText(t), "request_id: want the X-Request-Id of a request") {
				t.Fatalf("malformed request_id: %d %s, want 400 naming request_id", r.status, r.body)
			}
		})
	}
}

// A token limited to key prefixes reads, in the audit log, only the records of keys under
// them and its own: not the names of keys written elsewhere in its clusters. Paging one record
// at a time still finds every such record.
func TestAuditQueryOfAPrefixLimitedTokenShowsOnlyItsKeysAndItsOwnRecords(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			id := store.NewID()[:8]
			pa, pb := "/a-"+id+"/", "/b-"+id+"/"
			secret, tok, err := e.srv.CreateToken(context.Background(), TokenSpec{Name: "scoped-a", Role: "viewer", KeyPrefixes: []string{pa}, CreatedBy: "test"})
			if err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{pa + "x", pb + "secret-name"} {
				r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": key, "value": "v"})
				e.audit(t, r.header.Get(RequestIDHeader), 2)
			}
			own := e.call(t, "GET", "/api/v1/clusters/c1/keys?key="+url.QueryEscape(pb+"own-read"), secret, nil)
			e.audit(t, own.header.Get(RequestIDHeader), 1)

			var got []store.AuditRecord
			cursor := ""
			for {
				r := e.call(t, "GET", "/api/v1/audit?limit=1"+cursor, secret, nil)
				if r.status != 200 {
					t.Fatalf("audit: %d %s", r.status, r.body)
				}
				var page store.AuditPage
				r.json(t, &page)
				got = append(got, page.Records...)
				if page.Next == 0 {
					break
				}
				if len(page.Records) != 1 {
					t.Fatalf("a page of %d records before the last, want 1", len(page.Records))
				}
				cursor = fmt.Sprintf("&cursor=%d", page.Next)
			}
			var underA, ownRead int
			for _, r := range got {
				switch {
				case r.TokenID == tok.ID:
					ownRead++
				case strings.HasPrefix(string(r.Key), pa):
					underA++
				default:
					t.Errorf("record %d (%s of %q by %s) shown to a token limited to %s", r.Seq, r.Operation, r.Key, r.User, pa)
				}
			}
			if underA != 2 || ownRead < 1 {
				t.Fatalf("%d records of keys under %s and %d of its own, want 2 and at least 1", underA, pa, ownRead)
			}
			export := e.call(t, "GET", "/api/v1/audit?format=csv", secret, nil)
			if export.status != 200 || strings.Contains(string(export.body), "secret-name") || !strings.Contains(string(export.body), pa+"x") {
				t.Fatalf("csv export for a token limited to %s: %d\n%s", pa, export.status, export.body)
			}
		})
	}
}
