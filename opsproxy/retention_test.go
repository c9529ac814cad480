package opsproxy

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
)

// appendOld commits n records dated at, as an older opsproxy would have, and returns their
// request ids.
func appendOld(t *testing.T, st store.AuditLog, at time.Time, n int) []string {
	t.Helper()
	var ids []string
	var recs []store.AuditRecord
	for i := range n {
		id := fmt.Sprintf("old-%d", i)
		ids = append(ids, id)
		recs = append(recs, store.AuditRecord{Time: at.Add(time.Duration(i) * time.Minute), RequestID: id, User: "old",
			Role: "admin", Operation: "keys.get", Cluster: "c1", Outcome: store.OutcomeSucceeded})
	}
	if _, err := st.AppendAudit(context.Background(), recs...); err != nil {
		t.Fatalf("append old records: %v", err)
	}
	return ids
}

// verifyOK checks the chain through the store, the API and the verify-audit subcommand.
func verifyOK(t *testing.T, e *env) store.AuditVerification {
	t.Helper()
	v, err := e.store.VerifyAudit(context.Background())
	if err != nil || !v.OK() {
		t.Fatalf("verify: %+v, %v", v, err)
	}
	r := e.call(t, "GET", "/api/v1/audit/verify", e.admin, nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"ok":true`) {
		t.Fatalf("GET /audit/verify: %d %s", r.status, r.body)
	}
	var out bytes.Buffer
	if code := VerifyAudit(context.Background(), e.store, &out); code != 0 {
		t.Fatalf("verify-audit exit %d: %s", code, out.String())
	}
	return v
}

func TestAuditRetentionRemovesOldRecordsKeepsRecentOnesAndTheChainStillVerifies(t *testing.T) {
	const retention = 24 * time.Hour
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := newEnv(t, envOptions{store: kind})
			ctx := context.Background()
			now := time.Now()
			oldIDs := appendOld(t, e.store, now.Add(-30*24*time.Hour), 5)
			// Recent records, made through the API (read, and a mutation recorded twice).
			prefix := uniquePrefix(t)
			var recentIDs []string
			for i, call := range []struct {
				method string
				body   any
			}{{"GET", nil}, {"PUT", map[string]any{"key": prefix + "k", "value": "v"}}} {
				id := fmt.Sprintf("recent-%d", i)
				path := "/api/v1/clusters/c1/keys"
				if call.method == "GET" {
					path += "?key=" + prefix + "k"
				}
				r := e.call(t, call.method, path, e.admin, call.body, RequestIDHeader, id)
				if r.status != 200 {
					t.Fatalf("%s: %d %s", call.method, r.status, r.body)
				}
				id = r.header.Get(RequestIDHeader)
				e.audit(t, id, 1+i)
				recentIDs = append(recentIDs, id)
			}
			before := verifyOK(t, e)

			// As of 23 hours after the old records, they are within retention: nothing goes.
			if res, err := auditlog.PruneOnce(ctx, e.store, retention, now.Add(-30*24*time.Hour+23*time.Hour)); err != nil || res.Removed != 0 {
				t.Fatalf("prune as of 23 hours after the old records: %+v, %v", res, err)
			}
			// A retention of 0 keeps everything, whatever the date.
			if res, err := auditlog.PruneOnce(ctx, e.store, 0, now.Add(365*24*time.Hour)); err != nil || res.Removed != 0 {
				t.Fatalf("prune with retention 0: %+v, %v", res, err)
			}

			res, err := auditlog.PruneOnce(ctx, e.store, retention, now)
			if err != nil || res.Removed != int64(len(oldIDs)) {
				t.Fatalf("prune: %+v, %v; want %d removed", res, err, len(oldIDs))
			}
			kept := map[string]bool{}
			cutoff := now.Add(-retention)
			for _, r := range e.allAudit(t) {
				kept[r.RequestID] = true
				if r.Time.Before(cutoff) {
					t.Errorf("record %d of %s survived retention", r.Seq, r.Time)
				}
			}
			for _, id := range oldIDs {
				if kept[id] {
					t.Errorf("old record %s kept", id)
				}
			}
			for _, id := range recentIDs {
				if !kept[id] {
					t.Errorf("recent record %s removed", id)
				}
			}
			after := verifyOK(t, e)
			if after.Anchor.Seq != res.Anchor.Seq || !bytes.Equal(after.Anchor.Hash, res.Anchor.Hash) || after.Anchor.Seq <= before.Anchor.Seq {
				t.Fatalf("anchor after pruning %+v, prune answered %+v (before: %+v)", after.Anchor, res.Anchor, before.Anchor)
			}
			// A second pass finds nothing more, and new records chain on from the kept ones.
			if res, err := auditlog.PruneOnce(ctx, e.store, retention, now); err != nil || res.Removed != 0 {
				t.Fatalf("second prune: %+v, %v", res, err)
			}
			r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": prefix + "k2", "value": "v"})
			if r.status != 200 {
				t.Fatalf("put after prune: %d %s", r.status, r.body)
			}
			e.audit(t, r.header.Get(RequestIDHeader), 2)
			verifyOK(t, e)
		})
	}
}

func TestServerStartedWithRetentionPrunesOldRecordsAtStart(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			st := openStore(t, kind)
			oldIDs := appendOld(t, st, time.Now().Add(-100*24*time.Hour), 3)
			e := newEnv(t, envOptions{st: st, extra: "audit:\n  retention: 90d\n"})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for {
				left := 0
				for _, r := range e.allAudit(t) {
					if strings.HasPrefix(r.RequestID, "old-") {
						left++
					}
				}
				if left == 0 {
					break
				}
				select {
				case <-ctx.Done():
					t.Fatalf("%d of %d old records still there after the server started with retention 90d", left, len(oldIDs))
				case <-time.After(20 * time.Millisecond):
				}
			}
			v := verifyOK(t, e)
			if v.Anchor.Seq != int64(len(oldIDs)) {
				t.Fatalf("anchor %+v, want seq %d", v.Anchor, len(oldIDs))
			}
		})
	}
}
