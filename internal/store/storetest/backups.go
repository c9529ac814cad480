package storetest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func backupEvent(cluster, location string, kind store.BackupEventKind, name string, at time.Time, ok bool) store.BackupEvent {
	e := store.BackupEvent{Cluster: cluster, Location: location, Kind: kind, Name: name, JobID: "job-" + name,
		StartedAt: at, FinishedAt: at.Add(1500 * time.Millisecond), OK: ok, Size: 4096,
		Record: json.RawMessage(`{"name":"` + name + `","status":{"revision":42}}`)}
	if !ok {
		e.Error = "verify backup " + name + ": snapshot sha256 differs"
	}
	return e
}

func saveBackupEvents(t *testing.T, st store.Store, es ...store.BackupEvent) []store.BackupEvent {
	t.Helper()
	out := make([]store.BackupEvent, len(es))
	for i, e := range es {
		got, err := st.SaveBackupEvent(ctx(t), e)
		if err != nil {
			t.Fatalf("save backup event %d: %v", i, err)
		}
		if got.ID == "" {
			t.Fatalf("save backup event %d: no id", i)
		}
		out[i] = got
	}
	return out
}

func eventIDs(es []store.BackupEvent) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func testBackupEventsRoundTripNewestFirst(t *testing.T, b Backend) {
	st := b.Open(t)
	saved := saveBackupEvents(t, st,
		backupEvent("prod", "local", store.BackupEventBackup, "prod-1.db", base, true),
		backupEvent("prod", "local", store.BackupEventVerify, "prod-1.db", base.Add(time.Second+123456789), false),
		backupEvent("prod", "s3", store.BackupEventBackup, "prod-2.db", base.Add(time.Minute), true),
		store.BackupEvent{Cluster: "dev", Location: "local", Kind: store.BackupEventRetention, StartedAt: base.Add(2 * time.Minute), OK: true},
	)
	got, err := st.BackupEvent(ctx(t), saved[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normEvent(got), normEvent(saved[1])) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, saved[1])
	}
	if got.StartedAt != base.Add(time.Second+123456000) {
		t.Fatalf("started_at %v: want microsecond precision in UTC", got.StartedAt)
	}
	if _, err := st.BackupEvent(ctx(t), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v, want ErrNotFound", err)
	}
	// A retention event without a record keeps null.
	if r, _ := st.BackupEvent(ctx(t), saved[3].ID); string(r.Record) != "null" {
		t.Fatalf("empty record stored as %s, want null", r.Record)
	}
	st.Close()
	st = open(t, b)
	for _, tc := range []struct {
		name string
		f    store.BackupEventFilter
		want []string
	}{
		{"all, newest first", store.BackupEventFilter{}, []string{saved[3].ID, saved[2].ID, saved[1].ID, saved[0].ID}},
		{"cluster", store.BackupEventFilter{Cluster: "prod"}, []string{saved[2].ID, saved[1].ID, saved[0].ID}},
		{"cluster and location", store.BackupEventFilter{Cluster: "prod", Location: "local"}, []string{saved[1].ID, saved[0].ID}},
		{"kind", store.BackupEventFilter{Kind: store.BackupEventBackup}, []string{saved[2].ID, saved[0].ID}},
		{"name", store.BackupEventFilter{Name: "prod-1.db"}, []string{saved[1].ID, saved[0].ID}},
		{"since", store.BackupEventFilter{Since: base.Add(time.Second)}, []string{saved[3].ID, saved[2].ID, saved[1].ID}},
		{"limit", store.BackupEventFilter{Cluster: "prod", Limit: 1}, []string{saved[2].ID}},
		{"nothing", store.BackupEventFilter{Cluster: "none"}, []string{}},
	} {
		list, err := st.ListBackupEvents(ctx(t), tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := eventIDs(list); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// normEvent makes the record comparable whatever whitespace a backend keeps (jsonb).
func normEvent(e store.BackupEvent) store.BackupEvent {
	var v any
	_ = json.Unmarshal(e.Record, &v)
	e.Record, _ = json.Marshal(v)
	return e
}

func testBackupEventsRejectBadInput(t *testing.T, b Backend) {
	st := open(t, b)
	good := backupEvent("prod", "local", store.BackupEventBackup, "prod-1.db", base, true)
	for _, tc := range []struct {
		name string
		edit func(*store.BackupEvent)
		want string
	}{
		{"no cluster", func(e *store.BackupEvent) { e.Cluster = "" }, "cluster: must not be empty"},
		{"no location", func(e *store.BackupEvent) { e.Location = "" }, "location: must not be empty"},
		{"unknown kind", func(e *store.BackupEvent) { e.Kind = "snapshot" }, `unknown kind "snapshot"`},
		{"no start", func(e *store.BackupEvent) { e.StartedAt = time.Time{} }, "started_at is zero"},
		{"finished first", func(e *store.BackupEvent) { e.FinishedAt = e.StartedAt.Add(-time.Second) }, "finished before it started"},
		{"record not JSON", func(e *store.BackupEvent) { e.Record = json.RawMessage(`{"a":`) }, "record is not JSON"},
		{"record too large", func(e *store.BackupEvent) {
			e.Record = json.RawMessage(`"` + strings.Repeat("x", store.MaxBackupRecordBytes) + `"`)
		}, "record over"},
		{"long name", func(e *store.BackupEvent) { e.Name = strings.Repeat("n", 300) }, "name: over 256 bytes"},
		{"NUL in location", func(e *store.BackupEvent) { e.Location = "a\x00b" }, "location: not valid UTF-8"},
		{"negative size", func(e *store.BackupEvent) { e.Size = -1 }, "size -1 is negative"},
	} {
		e := good
		tc.edit(&e)
		_, err := st.SaveBackupEvent(ctx(t), e)
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want ErrInvalid with %q", tc.name, err, tc.want)
		}
	}
	if _, err := st.ListBackupEvents(ctx(t), store.BackupEventFilter{Kind: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("filter of an unknown kind: %v, want ErrInvalid", err)
	}
	list, err := st.ListBackupEvents(ctx(t), store.BackupEventFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("a refused event was stored: %v %v", list, err)
	}
	e := saveBackupEvents(t, st, good)[0]
	if _, err := st.SaveBackupEvent(ctx(t), e); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an id saved twice: %v, want ErrConflict", err)
	}
}
