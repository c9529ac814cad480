package opsproxy

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
)

// healthBody is the part of /-/healthy these tests read.
type healthBody struct {
	Status string `json:"status"`
	Store  struct {
		Reachable bool   `json:"reachable"`
		Since     string `json:"since"`
	} `json:"store"`
	AuditSpool struct {
		Bytes    int64 `json:"bytes"`
		Records  int   `json:"records"`
		MaxBytes int64 `json:"max_bytes"`
		Full     bool  `json:"full"`
	} `json:"audit_spool"`
	Clusters map[string]struct {
		State string `json:"state"`
		Error string `json:"error"`
	} `json:"clusters"`
}

func (e *env) outageHealth(t *testing.T) healthBody {
	t.Helper()
	r := e.call(t, "GET", "/-/healthy", "", nil)
	if r.status != 200 {
		t.Fatalf("/-/healthy: %d %s", r.status, r.body)
	}
	var h healthBody
	r.json(t, &h)
	return h
}

// storeDown caches the admin token (a read), stops the proxy and makes the server notice (a
// write, refused).
func (e *env) storeDown(t *testing.T, p *pgProxy) {
	t.Helper()
	if r := e.call(t, "GET", "/api/v1/clusters", e.admin, nil); r.status != 200 {
		t.Fatalf("read before the outage: %d %s", r.status, r.body)
	}
	p.stop()
	eventually(t, "the server sees the store down", func() bool {
		e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]string{"key": "/outage-probe", "value": "x"})
		return !e.outageHealth(t).Store.Reachable
	})
}

func TestReadsGoOnThroughAStoreOutageAndTheirAuditIsShippedAfter(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st, extra: "auth:\n  token_cache_ttl: 100ms\n"})
	prefix := uniquePrefix(t)
	cli := e.etcdClient(t)
	if _, err := cli.Put(context.Background(), prefix+"k", "v"); err != nil {
		t.Fatal(err)
	}
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	revoked := e.token(t, TokenSpec{Name: "revoked-elsewhere", Role: "viewer"})
	get := "/api/v1/clusters/c1/keys?key=" + url.QueryEscape(prefix+"k")
	for _, tok := range []string{viewer, revoked, e.admin} {
		if r := e.call(t, "GET", get, tok, nil); r.status != 200 {
			t.Fatalf("read before the outage: %d %s", r.status, r.body)
		}
	}
	// Revoked through another replica: this one still has it cached.
	var revokedID string
	toks, _ := st.ListTokens(context.Background())
	for _, tk := range toks {
		if tk.Name == "revoked-elsewhere" {
			revokedID = tk.ID
		}
	}
	if _, err := st.RevokeToken(context.Background(), revokedID, time.Now()); err != nil {
		t.Fatal(err)
	}

	e.storeDown(t, p)
	time.Sleep(200 * time.Millisecond) // past token_cache_ttl: every cached token is stale now

	var outageReads []string
	for i := range 5 {
		r := e.call(t, "GET", get, viewer, nil)
		if r.status != 200 {
			t.Fatalf("read %d during the outage: %d %s", i, r.status, r.body)
		}
		outageReads = append(outageReads, r.header.Get("X-Request-Id"))
	}
	r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]string{"key": prefix + "w", "value": "x"})
	if r.status != 503 {
		t.Fatalf("write during the outage: %d %s, want 503", r.status, r.body)
	}
	if got, err := cli.Get(context.Background(), prefix+"w"); err != nil || len(got.Kvs) != 0 {
		t.Fatalf("a write refused during the outage reached etcd: %v %v", got, err)
	}
	if r := e.call(t, "GET", get, "etcdm_bogus", nil); r.status != 503 || r.errorText(t) != "token store unavailable" {
		t.Fatalf("unknown token during the outage: %d %s, want 503 token store unavailable", r.status, r.body)
	}
	h := e.outageHealth(t)
	if h.Store.Reachable || h.AuditSpool.Records < len(outageReads) || h.AuditSpool.Full || h.Clusters["c1"].State == "" {
		t.Fatalf("/-/healthy during the outage: %+v", h)
	}
	if r := e.call(t, "GET", "/-/ready", "", nil); r.status != 200 {
		t.Fatalf("/-/ready during the outage: %d %s, want 200 (the store is shared by every replica)", r.status, r.body)
	}
	_, mfs := scrape(t, e)
	if got := value(mfs, "etcd_monitor_opsproxy_store_up"); got != 0 {
		t.Errorf("store_up during the outage = %v, want 0", got)
	}
	if got := value(mfs, "etcd_monitor_opsproxy_token_cache_stale_uses_total"); got < 5 {
		t.Errorf("token_cache_stale_uses_total = %v, want at least 5", got)
	}
	if got := value(mfs, "etcd_monitor_opsproxy_audit_spool_records"); got < 5 {
		t.Errorf("audit_spool_records = %v, want at least 5", got)
	}

	p.start()
	eventually(t, "the revocation made elsewhere applies after the outage", func() bool {
		return e.call(t, "GET", get, revoked, nil).status == 401
	})
	eventually(t, "the spool is shipped", func() bool {
		h := e.outageHealth(t)
		return h.Store.Reachable && h.AuditSpool.Records == 0
	})
	all := e.allAudit(t)
	var seqs []int64
	for _, id := range outageReads {
		recs := e.audit(t, id, 1)
		if recs[0].Outcome != store.OutcomeSucceeded || recs[0].Operation != "keys.get" {
			t.Fatalf("record of read %s: %+v", id, recs[0])
		}
		seqs = append(seqs, recs[0].Seq)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("records of the outage's reads out of order: seqs %v", seqs)
		}
	}
	// Reading the audit log is audited too, in the background: the chain may have grown since.
	v, err := st.VerifyAudit(context.Background())
	if err != nil || !v.OK() || v.Checked < int64(len(all)) {
		t.Fatalf("verify after the outage: %+v %v (records %d)", v, err, len(all))
	}
	if _, mfs := scrape(t, e); value(mfs, "etcd_monitor_opsproxy_store_up") != 1 {
		t.Errorf("store_up after the outage is not 1")
	}
}

func TestCachedTokensStopWorkingPastMaxStale(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st, extra: "auth:\n  token_cache_ttl: 100ms\n  token_cache_max_stale: 500ms\n"})
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	if r := e.call(t, "GET", "/api/v1/clusters", viewer, nil); r.status != 200 {
		t.Fatalf("read before the outage: %d %s", r.status, r.body)
	}
	e.storeDown(t, p)
	eventually(t, "the cached token is past token_cache_max_stale", func() bool {
		r := e.call(t, "GET", "/api/v1/clusters", viewer, nil)
		return r.status == 503 && r.errorText(t) == "token store unavailable"
	})
	p.start()
	eventually(t, "the token works again once the store answers", func() bool {
		return e.call(t, "GET", "/api/v1/clusters", viewer, nil).status == 200
	})
}

func TestFullAuditSpoolRefusesReadsAndMakesTheReplicaUnready(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st, extra: "audit:\n  spool_max_bytes: 4000\n"})
	e.storeDown(t, p)
	eventually(t, "reads are refused for a full spool", func() bool {
		r := e.call(t, "GET", "/api/v1/clusters", e.admin, nil)
		if r.status == 200 {
			return false
		}
		if r.status != 503 || r.errorText(t) != "audit spool full" {
			t.Fatalf("read with a filling spool: %d %s", r.status, r.body)
		}
		return true
	})
	r := e.call(t, "GET", "/-/ready", "", nil)
	var ready struct{ Status, Reason string }
	r.json(t, &ready)
	if r.status != 503 || ready.Reason != "audit spool full" {
		t.Fatalf("/-/ready with a full spool: %d %s", r.status, r.body)
	}
	if h := e.outageHealth(t); !h.AuditSpool.Full || h.AuditSpool.Bytes > 4000 {
		t.Fatalf("/-/healthy with a full spool: %+v", h)
	}
	p.start()
	eventually(t, "the replica is ready again once the spool is shipped", func() bool {
		return e.call(t, "GET", "/-/ready", "", nil).status == 200
	})
	if r := e.call(t, "GET", "/api/v1/clusters", e.admin, nil); r.status != 200 {
		t.Fatalf("read after the spool was shipped: %d %s", r.status, r.body)
	}
	if v, err := st.VerifyAudit(context.Background()); err != nil || !v.OK() {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

// No answer given while the store is down carries the driver's text, an address or the DSN.
func TestAnswersDuringAStoreOutageCarryNoInternalText(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st})
	e.storeDown(t, p)
	forbidden := []string{"pq", "pgx", "SQLSTATE", "dial tcp", "127.0.0.1:5432", p.addr, "password", pgPassword, "connect:", "connection refused", "user="}
	check := func(what string, body []byte) {
		t.Helper()
		for _, f := range forbidden {
			if strings.Contains(string(body), f) {
				t.Errorf("%s: answer contains %q: %s", what, f, body)
			}
		}
	}
	check("unknown token", e.call(t, "GET", "/api/v1/clusters", "etcdm_bogus", nil).body)
	for _, rt := range e.srv.Routes() {
		if strings.HasPrefix(rt.Path, "/api/v1/openapi.") {
			continue // the static API description, which names fields such as "password"
		}
		path := strings.NewReplacer("{cluster}", "c1", "{id}", "1", "{name}", "nope.db").Replace(rt.Path)
		if rt.Method == "GET" && strings.HasSuffix(path, "/keys") || strings.HasSuffix(path, "/watch") {
			path += "?key=/outage"
		}
		body := limitedCall(t, e, rt.Method, path, e.admin, `{"key":"/outage","value":"x","name":"t","role":"viewer"}`)
		check(rt.Method+" "+rt.Path, body)
	}
	if strings.Contains(e.log.String(), pgPassword) {
		t.Error("the log shows the DSN password")
	}
}

// limitedCall makes a request that may stream (a watch) and returns what arrived within a
// second.
func limitedCall(t *testing.T, e *env, method, path, token, body string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return raw
}

// Records left in the spool by an earlier run are committed at start, in order, before the
// server's own, and the chain verifies.
func TestServerShipsTheSpoolOfAnEarlierRun(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			st := openStore(t, kind)
			dir := t.TempDir()
			spoolDir := filepath.Join(dir, "spool")
			sp, err := auditlog.OpenSpool(spoolDir, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			base := time.Now().Add(-time.Hour).UTC()
			for i, id := range []string{"earlier-1", "earlier-2", "earlier-3"} {
				if err := sp.Add(store.AuditRecord{Time: base.Add(time.Duration(i) * time.Second), RequestID: id, User: "alice",
					Operation: "keys.get", Cluster: "c1", Outcome: store.OutcomeSucceeded}); err != nil {
					t.Fatal(err)
				}
			}
			sp.Close()
			e := newEnv(t, envOptions{st: st, configure: func(c *Config) { c.Audit.SpoolDir = spoolDir }})
			eventually(t, "the spool is shipped", func() bool { return e.outageHealth(t).AuditSpool.Records == 0 })
			var ids []string
			for _, r := range e.allAudit(t) {
				if strings.HasPrefix(r.RequestID, "earlier-") {
					ids = append(ids, r.RequestID)
					if !r.Time.Before(base.Add(time.Minute)) {
						t.Errorf("record %s has time %v, want its original %v", r.RequestID, r.Time, base)
					}
				}
			}
			if strings.Join(ids, " ") != "earlier-1 earlier-2 earlier-3" {
				t.Fatalf("shipped records: %v", ids)
			}
			if v, err := st.VerifyAudit(context.Background()); err != nil || !v.OK() {
				t.Fatalf("verify: %+v %v", v, err)
			}
			if _, err := os.Stat(spoolDir); err != nil {
				t.Fatal(err)
			}
		})
	}
}
