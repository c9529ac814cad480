package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func consoleEntry(user, cluster, line string, at time.Time) store.ConsoleEntry {
	return store.ConsoleEntry{User: user, Cluster: cluster, Line: line, Time: at, ExitCode: 0, Duration: 1234567 * time.Nanosecond}
}

// appendEntries stores entries and returns them as stored.
func appendEntries(t *testing.T, st store.Store, es ...store.ConsoleEntry) []store.ConsoleEntry {
	t.Helper()
	c := ctx(t)
	out := make([]store.ConsoleEntry, len(es))
	for i, e := range es {
		got, err := st.AppendConsoleEntry(c, e)
		if err != nil {
			t.Fatalf("append %q: %v", e.Line, err)
		}
		if got.ID == "" || got.Time.IsZero() {
			t.Fatalf("append %q: stored without id or time: %+v", e.Line, got)
		}
		out[i] = got
	}
	return out
}

func lines(es []store.ConsoleEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Line)
	}
	return out
}

func listConsole(t *testing.T, st store.Store, f store.ConsoleHistoryFilter) store.ConsoleHistoryPage {
	t.Helper()
	page, err := st.ListConsoleHistory(ctx(t), f)
	if err != nil {
		t.Fatalf("list %+v: %v", f, err)
	}
	return page
}

func testConsoleHistoryPrivateNewestFirst(t *testing.T, b Backend) {
	st := open(t, b)
	stored := appendEntries(t, st,
		consoleEntry("alice", "c1", "get /a", base),
		consoleEntry("bob", "c1", "get /bob-secret", base.Add(time.Second)),
		store.ConsoleEntry{User: "alice", Cluster: "c2", Line: "put /k 'v v'\n\xff", Time: base.Add(2*time.Second + 123456789), ExitCode: 1, Duration: time.Second},
		consoleEntry("alice", "c1", "version", base.Add(time.Minute)),
	)
	page := listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"})
	if got := lines(page.Entries); !reflect.DeepEqual(got, []string{"version", "put /k 'v v'\n\uFFFD", "get /a"}) || page.Next != "" {
		t.Fatalf("alice's history %q next %q, want her three lines newest first, the bad byte replaced", got, page.Next)
	}
	want := stored[2]
	want.Time = store.NormalizeTime(want.Time)
	if got := page.Entries[1]; !reflect.DeepEqual(got, want) {
		t.Fatalf("entry round trip:\n got %+v\nwant %+v", got, want)
	}
	if got := lines(listConsole(t, st, store.ConsoleHistoryFilter{User: "bob"}).Entries); !reflect.DeepEqual(got, []string{"get /bob-secret"}) {
		t.Fatalf("bob's history %q, want only his line", got)
	}
	if page := listConsole(t, st, store.ConsoleHistoryFilter{User: "carol"}); len(page.Entries) != 0 || page.Entries == nil {
		t.Fatalf("a user with no history: %+v, want an empty (not nil) list", page)
	}
	// Entries stored without a time get now; two of one time keep a stable order.
	now := appendEntries(t, st, store.ConsoleEntry{User: "dave", Line: "get /now"})[0]
	if now.Time.Before(base) || now.Time.After(time.Now().Add(time.Minute)) {
		t.Fatalf("entry without time stored at %v", now.Time)
	}
}

func testConsoleHistoryPages(t *testing.T, b Backend) {
	st := open(t, b)
	var es []store.ConsoleEntry
	for i := range 7 {
		// Two entries share each time but the first: the id breaks the tie.
		es = append(es, consoleEntry("alice", "c1", fmt.Sprintf("get /k%d", i), base.Add(time.Duration((i+1)/2)*time.Second)))
	}
	appendEntries(t, st, es...)
	appendEntries(t, st, consoleEntry("bob", "c1", "get /bob", base.Add(time.Hour)))
	var seen []string
	f := store.ConsoleHistoryFilter{User: "alice", Limit: 3}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatalf("paging does not end: %q", seen)
		}
		page := listConsole(t, st, f)
		if len(page.Entries) > 3 {
			t.Fatalf("page of %d entries, limit 3", len(page.Entries))
		}
		seen = append(seen, lines(page.Entries)...)
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	all := lines(listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"}).Entries)
	if len(seen) != 7 || !reflect.DeepEqual(seen, all) {
		t.Fatalf("pages gave %q, one page gives %q; want the same seven lines", seen, all)
	}
	if !strings.HasPrefix(strings.Join(all, " "), "get /k6 get /k5") && !strings.HasPrefix(strings.Join(all, " "), "get /k5 get /k6") || all[6] != "get /k0" {
		t.Fatalf("order %q, want the newest (k5, k6) first and the oldest (k0) last", all)
	}
	// A cursor of alice's does not open bob's entries, nor bob's alice's.
	page := listConsole(t, st, store.ConsoleHistoryFilter{User: "bob", Cursor: f.Cursor})
	if len(page.Entries) != 0 {
		t.Fatalf("bob with alice's cursor from before his entry: %q, want none (his entry is newer)", lines(page.Entries))
	}
	if got := listConsole(t, st, store.ConsoleHistoryFilter{User: "alice", Limit: 0}); len(got.Entries) != 7 || got.Next != "" {
		t.Fatalf("limit 0 (the default 100): %d entries next %q", len(got.Entries), got.Next)
	}
}

func testConsoleHistoryFilters(t *testing.T, b Backend) {
	st := open(t, b)
	appendEntries(t, st,
		consoleEntry("alice", "c1", "get /Registry/Pods --prefix", base),
		consoleEntry("alice", "c2", "get /registry/services --prefix", base.Add(time.Second)),
		consoleEntry("alice", "c3", "member list", base.Add(2*time.Second)),
		consoleEntry("alice", "c1", "put /a 100%_off", base.Add(3*time.Second)),
		consoleEntry("bob", "c1", "get /registry/bob", base.Add(4*time.Second)),
	)
	cases := []struct {
		name string
		f    store.ConsoleHistoryFilter
		want []string
	}{
		{"cluster", store.ConsoleHistoryFilter{Cluster: "c1"}, []string{"put /a 100%_off", "get /Registry/Pods --prefix"}},
		{"clusters of a token's scope", store.ConsoleHistoryFilter{Clusters: []string{"c2", "c3"}}, []string{"member list", "get /registry/services --prefix"}},
		{"text, case-insensitive", store.ConsoleHistoryFilter{Contains: "REGISTRY/"}, []string{"get /registry/services --prefix", "get /Registry/Pods --prefix"}},
		{"text and cluster", store.ConsoleHistoryFilter{Contains: "registry", Cluster: "c2"}, []string{"get /registry/services --prefix"}},
		{"text with pattern characters taken literally", store.ConsoleHistoryFilter{Contains: "%_"}, []string{"put /a 100%_off"}},
		{"text no line has", store.ConsoleHistoryFilter{Contains: "watch"}, []string{}},
	}
	for _, tc := range cases {
		tc.f.User = "alice"
		if got := lines(listConsole(t, st, tc.f).Entries); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// A filtered page continues with its cursor.
	f := store.ConsoleHistoryFilter{User: "alice", Contains: "get", Limit: 1}
	first := listConsole(t, st, f)
	f.Cursor = first.Next
	second := listConsole(t, st, f)
	if got := append(lines(first.Entries), lines(second.Entries)...); !reflect.DeepEqual(got, []string{"get /registry/services --prefix", "get /Registry/Pods --prefix"}) || second.Next != "" {
		t.Fatalf("filtered pages %q (next %q)", got, second.Next)
	}
}

func testConsoleHistoryBadInput(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	for name, e := range map[string]store.ConsoleEntry{
		"no user":           {Line: "get /a"},
		"no line":           {User: "alice"},
		"line over 64 KiB":  {User: "alice", Line: "put /a " + strings.Repeat("v", store.MaxConsoleLineLen)},
		"negative duration": {User: "alice", Line: "get /a", Duration: -1},
		"user with NUL":     {User: "al\x00ice", Line: "get /a"},
		"long user":         {User: strings.Repeat("u", store.MaxAuditTextLen+1), Line: "get /a"},
		"long cluster":      {User: "alice", Cluster: strings.Repeat("c", store.MaxAuditTextLen+1), Line: "get /a"},
	} {
		if _, err := st.AppendConsoleEntry(c, e); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("append with %s: %v, want ErrInvalid", name, err)
		}
	}
	// A long line is kept whole. (Exactly MaxConsoleLineLen is accepted too, see
	// store.TestPrepareConsoleEntryBoundsTheLine; PGlite, the TimescaleDB test server, dies on a
	// wire message of 64 KiB, so the contract stays below it.)
	long := strings.Repeat("v", 60000)
	if _, err := st.AppendConsoleEntry(c, store.ConsoleEntry{User: "long", Line: long}); err != nil {
		t.Errorf("a line of 60,000 bytes: %v", err)
	}
	if page := listConsole(t, st, store.ConsoleHistoryFilter{User: "long"}); len(page.Entries) != 1 || page.Entries[0].Line != long {
		t.Errorf("a line of 60,000 bytes did not come back whole")
	}
	for name, f := range map[string]store.ConsoleHistoryFilter{
		"no user":           {},
		"limit over 1000":   {User: "alice", Limit: store.MaxConsoleHistoryLimit + 1},
		"negative limit":    {User: "alice", Limit: -1},
		"malformed cursor":  {User: "alice", Cursor: "yesterday"},
		"cursor without id": {User: "alice", Cursor: "12345."},
		"long search text":  {User: "alice", Contains: strings.Repeat("q", store.MaxConsoleSearchLen+1)},
	} {
		if _, err := st.ListConsoleHistory(c, f); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("list with %s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := st.ListConsoleHistory(c, store.ConsoleHistoryFilter{User: "alice", Limit: store.MaxConsoleHistoryLimit}); err != nil {
		t.Errorf("limit of exactly 1000: %v", err)
	}
	if _, err := st.ClearConsoleHistory(c, ""); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("clear without user: %v, want ErrInvalid", err)
	}
	if err := st.SetConsoleSettings(c, "", store.ConsoleSettings{}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("settings without user: %v, want ErrInvalid", err)
	}
}

func testConsoleHistoryRetention(t *testing.T, b Backend) {
	const keep = 5
	st := b.OpenKeepingConsoleEntries(t, keep)
	t.Cleanup(func() { _ = st.Close() })
	for i := range keep + 3 {
		appendEntries(t, st, consoleEntry("alice", "c1", fmt.Sprintf("get /k%d", i), base.Add(time.Duration(i)*time.Second)))
	}
	appendEntries(t, st, consoleEntry("bob", "c1", "get /bob", base))
	got := lines(listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"}).Entries)
	if want := []string{"get /k7", "get /k6", "get /k5", "get /k4", "get /k3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after %d appends keeping %d: %q, want the newest %q", keep+3, keep, got, want)
	}
	if got := lines(listConsole(t, st, store.ConsoleHistoryFilter{User: "bob"}).Entries); len(got) != 1 {
		t.Fatalf("bob's history %q: alice's bound must not drop his entries", got)
	}
	// An entry older than all kept ones is itself the one dropped.
	appendEntries(t, st, consoleEntry("alice", "c1", "get /ancient", base.Add(-time.Hour)))
	if got := lines(listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"}).Entries); len(got) != keep || got[keep-1] != "get /k3" {
		t.Fatalf("after an old entry: %q", got)
	}
	if n, err := st.ClearConsoleHistory(ctx(t), "alice"); err != nil || n != keep {
		t.Fatalf("clear: %d, %v; want the %d kept", n, err, keep)
	}
}

func testConsoleHistoryConcurrentAppendsKeepTheBound(t *testing.T, b Backend) {
	const keep, writers, each = 20, 8, 10
	st := b.OpenKeepingConsoleEntries(t, keep)
	t.Cleanup(func() { _ = st.Close() })
	c := ctx(t)
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			for i := range each {
				if _, err := st.AppendConsoleEntry(c, consoleEntry("alice", "c1", fmt.Sprintf("get /w%d/%d", w, i), time.Time{})); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent append: %v", err)
		}
	}
	page := listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"})
	if len(page.Entries) != keep {
		t.Fatalf("after %d concurrent appends keeping %d: %d entries", writers*each, keep, len(page.Entries))
	}
	// The count the bound is kept by is right too: one more append still leaves exactly keep.
	appendEntries(t, st, consoleEntry("alice", "c1", "get /last", time.Time{}))
	if got := listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"}); len(got.Entries) != keep || got.Entries[0].Line != "get /last" {
		t.Fatalf("after one more: %d entries, newest %q", len(got.Entries), got.Entries[0].Line)
	}
	if n, err := st.ClearConsoleHistory(c, "alice"); err != nil || n != keep {
		t.Fatalf("clear: %d, %v; want %d", n, err, keep)
	}
}

func testConsoleHistoryClear(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	appendEntries(t, st,
		consoleEntry("alice", "c1", "get /a", base),
		consoleEntry("alice", "c2", "get /b", base.Add(time.Second)),
		consoleEntry("bob", "c1", "get /c", base),
	)
	if n, err := st.ClearConsoleHistory(c, "alice"); err != nil || n != 2 {
		t.Fatalf("clear alice: %d, %v; want 2", n, err)
	}
	if page := listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"}); len(page.Entries) != 0 {
		t.Fatalf("alice after clear: %q", lines(page.Entries))
	}
	if got := lines(listConsole(t, st, store.ConsoleHistoryFilter{User: "bob"}).Entries); !reflect.DeepEqual(got, []string{"get /c"}) {
		t.Fatalf("bob after alice's clear: %q", got)
	}
	if n, err := st.ClearConsoleHistory(c, "alice"); err != nil || n != 0 {
		t.Fatalf("second clear: %d, %v; want 0", n, err)
	}
	appendEntries(t, st, consoleEntry("alice", "c1", "get /after", base.Add(time.Hour)))
	if got := lines(listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"}).Entries); !reflect.DeepEqual(got, []string{"get /after"}) {
		t.Fatalf("history after clear: %q", got)
	}
}

func testConsoleSettings(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	if s, err := st.ConsoleSettings(c, "alice"); err != nil || s.KeepValues {
		t.Fatalf("never set: %+v, %v; want the zero value", s, err)
	}
	if err := st.SetConsoleSettings(c, "alice", store.ConsoleSettings{KeepValues: true}); err != nil {
		t.Fatal(err)
	}
	if s, err := st.ConsoleSettings(c, "alice"); err != nil || !s.KeepValues {
		t.Fatalf("after set: %+v, %v", s, err)
	}
	if s, err := st.ConsoleSettings(c, "bob"); err != nil || s.KeepValues {
		t.Fatalf("bob after alice's set: %+v, %v", s, err)
	}
	if err := st.SetConsoleSettings(c, "alice", store.ConsoleSettings{}); err != nil {
		t.Fatal(err)
	}
	if s, err := st.ConsoleSettings(c, "alice"); err != nil || s.KeepValues {
		t.Fatalf("after turning off: %+v, %v", s, err)
	}
	// Settings survive a reopen, as history does.
	if err := st.SetConsoleSettings(c, "alice", store.ConsoleSettings{KeepValues: true}); err != nil {
		t.Fatal(err)
	}
	appendEntries(t, st, consoleEntry("alice", "c1", "get /a", base))
	st.Close()
	st = open(t, b)
	if s, err := st.ConsoleSettings(c, "alice"); err != nil || !s.KeepValues {
		t.Fatalf("after reopen: %+v, %v", s, err)
	}
	if got := lines(listConsole(t, st, store.ConsoleHistoryFilter{User: "alice"}).Entries); len(got) != 1 {
		t.Fatalf("history after reopen: %q", got)
	}
}
