package auditlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/bolt"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/storehealth"
)

func readRecord(i int) store.AuditRecord {
	return store.AuditRecord{
		Time:      time.Date(2025, 1, 2, 3, 4, 5, i*1000, time.UTC),
		RequestID: fmt.Sprintf("req-%03d", i),
		User:      "alice",
		Operation: "keys.get",
		Cluster:   "c1",
		Key:       []byte{0xff, 'k', byte(i)},
		Outcome:   store.OutcomeSucceeded,
	}
}

func openSpool(t *testing.T, dir string, max int64) *Spool {
	t.Helper()
	sp, err := OpenSpool(dir, max)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	return sp
}

func addRecords(t *testing.T, sp *Spool, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := sp.Add(readRecord(i)); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
}

// requestIDs peeks everything in the spool.
func requestIDs(t *testing.T, sp *Spool) []string {
	t.Helper()
	recs, err := sp.Peek(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		if r.Bad {
			out = append(out, "bad")
			continue
		}
		out = append(out, r.Rec.RequestID)
	}
	return out
}

func TestSpoolKeepsRecordsInOrderAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	sp := openSpool(t, dir, 1<<20)
	addRecords(t, sp, 0, 5)
	recs, err := sp.Peek(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Commit(recs[1].End); err != nil {
		t.Fatal(err)
	}
	sp.Close()

	sp = openSpool(t, dir, 1<<20)
	if got := fmt.Sprint(requestIDs(t, sp)); got != "[req-002 req-003 req-004]" {
		t.Fatalf("after restart: %s", got)
	}
	if _, n := sp.Stats(); n != 3 {
		t.Fatalf("records = %d, want 3", n)
	}
	all, _ := sp.Peek(10)
	if string(all[0].Rec.Key) != string([]byte{0xff, 'k', 2}) || !all[0].Rec.Time.Equal(readRecord(2).Time) {
		t.Fatalf("record does not round-trip: %+v", all[0].Rec)
	}
}

func TestSpoolIgnoresAPartialLastLine(t *testing.T) {
	dir := t.TempDir()
	sp := openSpool(t, dir, 1<<20)
	addRecords(t, sp, 0, 2)
	sp.Close()
	f, err := os.OpenFile(filepath.Join(dir, "spool-0.jsonl"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2025-01-02T03:04:05Z","request_id":"torn`)
	f.Close()

	sp = openSpool(t, dir, 1<<20)
	addRecords(t, sp, 2, 3)
	if got := fmt.Sprint(requestIDs(t, sp)); got != "[req-000 req-001 req-002]" {
		t.Fatalf("after a torn write: %s", got)
	}
}

func TestSpoolRefusesRecordsBeyondItsBound(t *testing.T) {
	sp := openSpool(t, t.TempDir(), 1200)
	var err error
	added := 0
	for i := 0; i < 100 && err == nil; i++ {
		if err = sp.Add(readRecord(i)); err == nil {
			added++
		}
	}
	if !errors.Is(err, ErrSpoolFull) || !sp.Full() {
		t.Fatalf("after %d records: err %v, full %v; want ErrSpoolFull", added, err, sp.Full())
	}
	if b, _ := sp.Stats(); b > 1200 {
		t.Fatalf("spool holds %d bytes, bound 1200", b)
	}
	// Committing makes room again, and the file itself stays within the bound.
	recs, _ := sp.Peek(added)
	if err := sp.Commit(recs[added/2].End); err != nil {
		t.Fatal(err)
	}
	if sp.Full() {
		t.Fatal("still full after half was committed")
	}
	if err := sp.Add(readRecord(500)); err != nil {
		t.Fatalf("add after commit: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(sp.dir, "spool-*.jsonl"))
	for _, m := range matches {
		if fi, _ := os.Stat(m); fi.Size() > 1200 {
			t.Fatalf("%s is %d bytes, bound 1200", m, fi.Size())
		}
	}
}

func TestSpoolStartsAfreshWhenDrained(t *testing.T) {
	dir := t.TempDir()
	sp := openSpool(t, dir, 1<<20)
	addRecords(t, sp, 0, 3)
	recs, _ := sp.Peek(10)
	if err := sp.Commit(recs[2].End); err != nil {
		t.Fatal(err)
	}
	if b, n := sp.Stats(); b != 0 || n != 0 {
		t.Fatalf("drained spool: %d bytes, %d records", b, n)
	}
	addRecords(t, sp, 3, 4)
	sp.Close()
	sp = openSpool(t, dir, 1<<20)
	if got := fmt.Sprint(requestIDs(t, sp)); got != "[req-003]" {
		t.Fatalf("after drain and restart: %s", got)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "spool-*.jsonl"))
	if len(matches) != 1 {
		t.Fatalf("spool files: %v, want one", matches)
	}
}

func openBolt(t *testing.T) store.Store {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "history.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func storedRequestIDs(t *testing.T, st store.Store) []string {
	t.Helper()
	page, err := st.QueryAudit(context.Background(), store.AuditFilter{Limit: store.MaxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range page.Records {
		out = append(out, r.RequestID)
	}
	return out
}

func TestShipperCommitsSpooledRecordsInOrderWithTheirTime(t *testing.T) {
	st := openBolt(t)
	sp := openSpool(t, t.TempDir(), 1<<20)
	addRecords(t, sp, 0, 7)
	sh := &Shipper{Log: st, Spool: sp, Health: storehealth.New(nil), Batch: 3, Timeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)}
	for {
		n, err := sh.ShipOnce(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if got := fmt.Sprint(storedRequestIDs(t, st)); got != "[req-000 req-001 req-002 req-003 req-004 req-005 req-006]" {
		t.Fatalf("store holds %s", got)
	}
	page, _ := st.QueryAudit(context.Background(), store.AuditFilter{Limit: 1})
	if !page.Records[0].Time.Equal(readRecord(0).Time) {
		t.Fatalf("time %v, want the request's %v", page.Records[0].Time, readRecord(0).Time)
	}
	if v, err := st.VerifyAudit(context.Background()); err != nil || !v.OK() {
		t.Fatalf("verify: %+v %v", v, err)
	}
	if b, n := sp.Stats(); b != 0 || n != 0 {
		t.Fatalf("spool after shipping: %d bytes, %d records", b, n)
	}
}

// A crash after a batch was committed but before the spool forgot it: after restart the
// records already in the store are not committed twice.
func TestShipperSkipsRecordsCommittedBeforeACrash(t *testing.T) {
	st := openBolt(t)
	dir := t.TempDir()
	sp := openSpool(t, dir, 1<<20)
	addRecords(t, sp, 0, 5)
	if _, err := st.AppendAudit(context.Background(), readRecord(0), readRecord(1)); err != nil {
		t.Fatal(err)
	}
	sp.Close()
	sp = openSpool(t, dir, 1<<20)
	sh := &Shipper{Log: st, Spool: sp, Health: storehealth.New(nil), Batch: 10, Timeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sh.Run(ctx); close(done) }()
	deadline := time.After(10 * time.Second)
	for {
		if _, n := sp.Stats(); n == 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("spool not drained")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	<-done
	if got := fmt.Sprint(storedRequestIDs(t, st)); got != "[req-000 req-001 req-002 req-003 req-004]" {
		t.Fatalf("store holds %s", got)
	}
}

// Two processes (or two opsproxy servers in one) cannot share a spool directory: the second
// refuses to open it, naming the setting, and can once the first has closed it.
func TestSpoolDirectoryIsOneProcessAtATime(t *testing.T) {
	dir := t.TempDir()
	first, err := OpenSpool(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSpool(dir, 1<<20); err == nil || !strings.Contains(err.Error(), "audit.spool_dir of its own") {
		t.Fatalf("second open of one spool directory: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := OpenSpool(dir, 1<<20)
	if err != nil {
		t.Fatalf("open after the first closed: %v", err)
	}
	again.Close()
}
