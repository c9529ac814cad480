package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func result(kind store.ResultKind, cluster string, i int) store.Result {
	return store.Result{
		Kind:       kind,
		Cluster:    cluster,
		Name:       fmt.Sprintf("run-%d", i%2),
		StartedAt:  base.Add(time.Duration(i) * time.Minute),
		FinishedAt: base.Add(time.Duration(i)*time.Minute + 30*time.Second),
		Parameters: json.RawMessage(fmt.Sprintf(`{"clients": %d, "total": 10000}`, i)),
		Figures:    json.RawMessage(`{"p99_ms": 4.5, "ops_per_s": 12000}`),
		Verdict:    store.VerdictPass,
	}
}

// sameResult compares results, the JSON fields by meaning.
func sameResult(a, b store.Result) bool {
	ja, jb := a.Parameters, b.Parameters
	fa, fb := a.Figures, b.Figures
	a.Parameters, b.Parameters, a.Figures, b.Figures = nil, nil, nil, nil
	return reflect.DeepEqual(a, b) && sameJSON(ja, jb) && sameJSON(fa, fb)
}

func sameJSON(a, b json.RawMessage) bool {
	var va, vb any
	return json.Unmarshal(a, &va) == nil && json.Unmarshal(b, &vb) == nil && reflect.DeepEqual(va, vb)
}

func testResults(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	var saved []store.Result
	for i := range 6 {
		kind, cluster := store.KindBenchmark, "prod"
		if i%3 == 2 {
			kind = store.KindDiskTest
		}
		if i == 4 {
			cluster = "staging"
		}
		r, err := st.SaveResult(c, result(kind, cluster, i))
		if err != nil {
			t.Fatalf("save result %d: %v", i, err)
		}
		if r.ID == "" {
			t.Fatalf("save result %d: no id assigned", i)
		}
		saved = append(saved, r)
	}
	got, err := st.Result(c, saved[1].ID)
	if err != nil || !sameResult(got, saved[1]) {
		t.Fatalf("get result: %+v, %v\nwant %+v", got, err, saved[1])
	}
	if _, err := st.Result(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown result: %v, want ErrNotFound", err)
	}
	if _, err := st.SaveResult(c, saved[0]); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("save with a taken id: %v, want ErrConflict", err)
	}
	tests := []struct {
		name string
		f    store.ResultFilter
		want []int
	}{
		{"all newest first", store.ResultFilter{}, []int{5, 4, 3, 2, 1, 0}},
		{"kind and cluster", store.ResultFilter{Kind: store.KindBenchmark, Cluster: "prod"}, []int{3, 1, 0}},
		{"disk tests", store.ResultFilter{Kind: store.KindDiskTest}, []int{5, 2}},
		{"name", store.ResultFilter{Name: "run-1", Cluster: "prod"}, []int{5, 3, 1}},
		{"since", store.ResultFilter{Since: base.Add(3 * time.Minute)}, []int{5, 4, 3}},
		{"limit", store.ResultFilter{Limit: 2}, []int{5, 4}},
		{"none", store.ResultFilter{Cluster: "nope"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := st.ListResults(c, tc.f)
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			var got []int
			for _, r := range list {
				for i, s := range saved {
					if s.ID == r.ID {
						got = append(got, i)
						if !sameResult(r, s) {
							t.Fatalf("listed result %d differs: %+v", i, r)
						}
					}
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("results %v, want %v", got, tc.want)
			}
		})
	}
}

func testResultsBadInput(t *testing.T, b Backend) {
	st := open(t, b)
	for name, mutate := range map[string]func(*store.Result){
		"unknown kind":       func(r *store.Result) { r.Kind = "stress" },
		"no cluster":         func(r *store.Result) { r.Cluster = "" },
		"no start":           func(r *store.Result) { r.StartedAt = time.Time{} },
		"finished first":     func(r *store.Result) { r.FinishedAt = r.StartedAt.Add(-time.Second) },
		"parameters not obj": func(r *store.Result) { r.Parameters = json.RawMessage(`[1,2]`) },
		"figures not json":   func(r *store.Result) { r.Figures = json.RawMessage(`{"p99":`) },
		"figures null":       func(r *store.Result) { r.Figures = json.RawMessage(`null`) },
		"unknown verdict":    func(r *store.Result) { r.Verdict = "meh" },
	} {
		r := result(store.KindBenchmark, "prod", 1)
		mutate(&r)
		if _, err := st.SaveResult(ctx(t), r); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("%s: %v, want ErrInvalid", name, err)
		}
	}
	r := result(store.KindDiskTest, "node-1", 1)
	r.Parameters, r.Figures, r.Verdict, r.FinishedAt = nil, nil, "", time.Time{}
	saved, err := st.SaveResult(ctx(t), r)
	if err != nil {
		t.Fatalf("save unfinished result without JSON: %v", err)
	}
	got, err := st.Result(ctx(t), saved.ID)
	if err != nil || string(got.Parameters) != "{}" || string(got.Figures) != "{}" || !got.FinishedAt.IsZero() {
		t.Fatalf("unfinished result: %+v, %v; want {} JSON and zero finish", got, err)
	}
}

func testBaselines(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	r1, err := st.SaveResult(c, result(store.KindBenchmark, "prod", 1))
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	r2, err := st.SaveResult(c, result(store.KindBenchmark, "prod", 2))
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	d1, err := st.SaveResult(c, result(store.KindDiskTest, "prod", 3))
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	if _, err := st.Baseline(c, store.KindBenchmark, "prod", "default"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unset baseline: %v, want ErrNotFound", err)
	}
	set, err := st.SetBaseline(c, store.Baseline{Kind: store.KindBenchmark, Cluster: "prod", Name: "default", ResultID: r1.ID, SetBy: "alice"})
	if err != nil || set.SetAt.IsZero() || !sameResult(set.Result, r1) {
		t.Fatalf("set baseline: %+v, %v", set, err)
	}
	if _, err := st.SetBaseline(c, store.Baseline{Kind: store.KindBenchmark, Cluster: "prod", Name: "default", ResultID: r2.ID, SetBy: "bob", SetAt: base}); err != nil {
		t.Fatalf("replace baseline: %v", err)
	}
	got, err := st.Baseline(c, store.KindBenchmark, "prod", "default")
	if err != nil || got.ResultID != r2.ID || got.SetBy != "bob" || !got.SetAt.Equal(base) || !sameResult(got.Result, r2) {
		t.Fatalf("baseline after replace: %+v, %v; want result %s set by bob", got, err, r2.ID)
	}
	for name, bl := range map[string]store.Baseline{
		"other cluster": {Kind: store.KindBenchmark, Cluster: "staging", Name: "default", ResultID: r1.ID},
		"other kind":    {Kind: store.KindDiskTest, Cluster: "prod", Name: "default", ResultID: r1.ID},
		"no name":       {Kind: store.KindBenchmark, Cluster: "prod", ResultID: r1.ID},
	} {
		if _, err := st.SetBaseline(c, bl); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := st.SetBaseline(c, store.Baseline{Kind: store.KindBenchmark, Cluster: "prod", Name: "x", ResultID: "nope"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown result: %v, want ErrNotFound", err)
	}
	if _, err := st.SetBaseline(c, store.Baseline{Kind: store.KindDiskTest, Cluster: "prod", Name: "pre-upgrade", ResultID: d1.ID}); err != nil {
		t.Fatalf("set disk baseline: %v", err)
	}
	if _, err := st.SetBaseline(c, store.Baseline{Kind: store.KindBenchmark, Cluster: "prod", Name: "after-defrag", ResultID: r1.ID}); err != nil {
		t.Fatalf("set second baseline: %v", err)
	}
	list, err := st.ListBaselines(c, store.KindBenchmark, "prod")
	if err != nil || len(list) != 2 || list[0].Name != "after-defrag" || list[1].Name != "default" || list[0].Result.ID != r1.ID {
		t.Fatalf("list benchmark baselines: %+v, %v", list, err)
	}
	list, err = st.ListBaselines(c, "", "")
	if err != nil || len(list) != 3 || list[2].Kind != store.KindDiskTest {
		t.Fatalf("list all baselines: %d, %v; want 3 ordered by kind", len(list), err)
	}
}

func testClosed(t *testing.T, b Backend) {
	st := b.Open(t)
	if err := st.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	c := ctx(t)
	checks := map[string]error{}
	_, checks["append"] = st.AppendAudit(c, rec(0))
	_, checks["query"] = st.QueryAudit(c, store.AuditFilter{})
	_, checks["verify"] = st.VerifyAudit(c)
	_, checks["token"] = st.Token(c, "x")
	_, checks["result"] = st.Result(c, "x")
	checks["create token"] = st.CreateToken(c, token("x", base))
	_, _, checks["create job"] = st.CreateJob(c, newJob("defrag", "prod", base))
	_, checks["claim job"] = st.ClaimJob(c, "x", "w", time.Time{}, 0)
	_, checks["create schedule"] = st.CreateSchedule(c, newSchedule("n", "defrag", "prod", base))
	_, checks["list schedules"] = st.ListSchedules(c, store.ScheduleFilter{})
	_, checks["advance schedule"] = st.AdvanceSchedule(c, "x", base, "j", 0)
	_, checks["append console entry"] = st.AppendConsoleEntry(c, consoleEntry("alice", "c1", "get /x", base))
	_, checks["list console history"] = st.ListConsoleHistory(c, store.ConsoleHistoryFilter{User: "alice"})
	_, checks["clear console history"] = st.ClearConsoleHistory(c, "alice")
	checks["set console settings"] = st.SetConsoleSettings(c, "alice", store.ConsoleSettings{KeepValues: true})
	for name, err := range checks {
		if !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after close: %v, want ErrClosed", name, err)
		}
	}
}
