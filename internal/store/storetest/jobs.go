package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func newJob(kind, cluster string, created time.Time) store.Job {
	return store.Job{Kind: kind, Cluster: cluster, RequestedBy: "alice", CreatedAt: created,
		Parameters: json.RawMessage(`{"member":"m1"}`)}
}

func jsonEq(t *testing.T, what string, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %q is not JSON: %v", what, got, err)
	}
	_ = json.Unmarshal([]byte(want), &w)
	if fmt.Sprint(g) != fmt.Sprint(w) {
		t.Fatalf("%s: %s, want %s", what, got, want)
	}
}

func testJobsCreateGetIdempotent(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	j := newJob("defrag", "prod", base)
	j.IdempotencyKey = "k1"
	got, created, err := st.CreateJob(c, j)
	if err != nil || !created || got.ID == "" || got.Status != store.JobQueued || got.Attempts != 0 || got.Fence != 0 {
		t.Fatalf("create: %+v, %v, %v", got, created, err)
	}
	again, created, err := st.CreateJob(c, j)
	if err != nil || created || again.ID != got.ID {
		t.Fatalf("create with the same key: %+v, %v, %v; want job %s, not created", again, created, err, got.ID)
	}
	other := newJob("snapshot", "prod", base)
	other.IdempotencyKey = "k1"
	if _, _, err := st.CreateJob(c, other); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("same key, other kind: %v, want ErrConflict", err)
	}
	read, err := st.Job(c, got.ID)
	if err != nil || read.Kind != "defrag" || read.Cluster != "prod" || read.RequestedBy != "alice" ||
		read.IdempotencyKey != "k1" || !read.CreatedAt.Equal(base) || read.Status != store.JobQueued {
		t.Fatalf("job: %+v, %v", read, err)
	}
	jsonEq(t, "parameters", read.Parameters, `{"member":"m1"}`)
	jsonEq(t, "progress", read.Progress, `{}`)
	if _, err := st.Job(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown job: %v, want ErrNotFound", err)
	}
	for _, bad := range []store.Job{{Cluster: "prod"}, {Kind: "defrag"}, {Kind: "defrag", Cluster: "p", Parameters: json.RawMessage(`[1]`)}} {
		if _, _, err := st.CreateJob(c, bad); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("create %+v: %v, want ErrInvalid", bad, err)
		}
	}
}

func testJobsConcurrentCreateWithOneKey(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	const n = 8
	ids := make([]string, n)
	var createdCount int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			j := newJob("defrag", "prod", base)
			j.IdempotencyKey = "same"
			got, created, err := st.CreateJob(c, j)
			if err != nil {
				t.Errorf("create %d: %v", i, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[i] = got.ID
			if created {
				createdCount++
			}
		})
	}
	wg.Wait()
	if createdCount != 1 {
		t.Fatalf("%d creates made a job, want 1", createdCount)
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("ids %v: want one job", ids)
		}
	}
}

func testJobsList(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	var want []string // newest first
	for i := range 7 {
		kind, cluster := "defrag", "prod"
		if i%2 == 1 {
			kind = "snapshot"
		}
		if i == 6 {
			cluster = "staging"
		}
		j, _, err := st.CreateJob(c, newJob(kind, cluster, base.Add(time.Duration(i/2)*time.Second)))
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{j.ID}, want...)
	}
	// Same CreatedAt pairs are ordered by id, descending.
	all, err := st.ListJobs(c, store.JobFilter{Limit: 100})
	if err != nil || len(all.Jobs) != 7 || all.Next != "" {
		t.Fatalf("list all: %d jobs, next %q, %v", len(all.Jobs), all.Next, err)
	}
	for i := 1; i < len(all.Jobs); i++ {
		a, b := all.Jobs[i-1], all.Jobs[i]
		if a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID) {
			t.Fatalf("list order: %s@%v before %s@%v", a.ID, a.CreatedAt, b.ID, b.CreatedAt)
		}
	}
	var paged []store.Job
	f := store.JobFilter{Limit: 3}
	for {
		p, err := st.ListJobs(c, f)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, p.Jobs...)
		if p.Next == "" {
			break
		}
		f.Cursor = p.Next
	}
	if len(paged) != 7 {
		t.Fatalf("paging gave %d jobs, want 7", len(paged))
	}
	for i := range paged {
		if paged[i].ID != all.Jobs[i].ID {
			t.Fatalf("page order differs at %d", i)
		}
	}
	if p, _ := st.ListJobs(c, store.JobFilter{Kind: "snapshot"}); len(p.Jobs) != 3 {
		t.Fatalf("kind filter: %d jobs, want 3", len(p.Jobs))
	}
	if p, _ := st.ListJobs(c, store.JobFilter{Cluster: "staging"}); len(p.Jobs) != 1 {
		t.Fatalf("cluster filter: %d jobs, want 1", len(p.Jobs))
	}
	if p, _ := st.ListJobs(c, store.JobFilter{Clusters: []string{"staging", "qa"}}); len(p.Jobs) != 1 {
		t.Fatalf("clusters filter: %d jobs, want 1", len(p.Jobs))
	}
	bob := newJob("defrag", "prod", base.Add(-time.Hour))
	bob.RequestedBy = "bob"
	if _, _, err := st.CreateJob(c, bob); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.ListJobs(c, store.JobFilter{RequestedBy: "bob", Clusters: []string{"prod"}}); len(p.Jobs) != 1 || p.Jobs[0].RequestedBy != "bob" {
		t.Fatalf("requested_by filter: %+v", p.Jobs)
	}
	if _, err := st.ClaimJob(c, all.Jobs[0].ID, "w1", time.Time{}, 0); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.ListJobs(c, store.JobFilter{Status: store.JobRunning}); len(p.Jobs) != 1 || p.Jobs[0].ID != all.Jobs[0].ID {
		t.Fatalf("status filter: %+v", p.Jobs)
	}
	for _, bad := range []store.JobFilter{{Status: "sleeping"}, {Cursor: "garbage"}} {
		if _, err := st.ListJobs(c, bad); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("list %+v: %v, want ErrInvalid", bad, err)
		}
	}
}

func testJobsFencing(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	j, _, err := st.CreateJob(c, newJob("defrag", "prod", base))
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.ClaimJob(c, j.ID, "w1", base.Add(time.Second), 30*time.Second)
	if err != nil || first.Status != store.JobRunning || first.Attempts != 1 || first.Fence < 1 || first.Worker != "w1" ||
		!first.StartedAt.Equal(base.Add(time.Second)) {
		t.Fatalf("claim: %+v, %v", first, err)
	}
	hb, err := st.HeartbeatJob(c, j.ID, first.Fence, json.RawMessage(`{"done":1}`), base.Add(2*time.Second))
	if err != nil || !hb.HeartbeatAt.Equal(base.Add(2*time.Second)) {
		t.Fatalf("heartbeat: %+v, %v", hb, err)
	}
	jsonEq(t, "progress", hb.Progress, `{"done":1}`)
	// While w1 heartbeats, a claim that respects a 30 s lease is refused and changes nothing.
	if _, err := st.ClaimJob(c, j.ID, "w2", base.Add(3*time.Second), 30*time.Second); !errors.Is(err, store.ErrJobHeld) {
		t.Fatalf("claim of a held job: %v, want ErrJobHeld", err)
	}
	if read, err := st.Job(c, j.ID); err != nil || read.Fence != first.Fence || read.Worker != "w1" || read.Attempts != 1 {
		t.Fatalf("after the refused claim: %+v, %v", read, err)
	}
	// w1 stops heartbeating; w2 takes the job over once the lease has passed.
	second, err := st.ClaimJob(c, j.ID, "w2", base.Add(time.Minute), 30*time.Second)
	if err != nil || second.Fence <= first.Fence || second.Attempts != 2 || second.Worker != "w2" ||
		!second.StartedAt.Equal(first.StartedAt) {
		t.Fatalf("takeover: %+v, %v", second, err)
	}
	if _, err := st.HeartbeatJob(c, j.ID, first.Fence, nil, time.Time{}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("stale heartbeat: %v, want ErrFenced", err)
	}
	if _, err := st.ReleaseJob(c, j.ID, first.Fence, true, ""); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("stale release: %v, want ErrFenced", err)
	}
	if _, err := st.FinishJob(c, j.ID, first.Fence, store.JobOutcome{Status: store.JobSucceeded, Result: json.RawMessage(`{"by":"w1"}`)}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("stale finish: %v, want ErrFenced", err)
	}
	done, err := st.FinishJob(c, j.ID, second.Fence, store.JobOutcome{Status: store.JobSucceeded, Result: json.RawMessage(`{"by":"w2"}`), At: base.Add(2 * time.Minute)})
	if err != nil || done.Status != store.JobSucceeded || !done.FinishedAt.Equal(base.Add(2*time.Minute)) {
		t.Fatalf("finish: %+v, %v", done, err)
	}
	if _, err := st.FinishJob(c, j.ID, second.Fence, store.JobOutcome{Status: store.JobFailed, Error: "again"}); !errors.Is(err, store.ErrJobFinished) {
		t.Fatalf("second finish: %v, want ErrJobFinished", err)
	}
	if _, err := st.FinishJob(c, j.ID, first.Fence, store.JobOutcome{Status: store.JobFailed}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("stale finish after the end: %v, want ErrFenced", err)
	}
	if _, err := st.ClaimJob(c, j.ID, "w3", time.Time{}, 0); !errors.Is(err, store.ErrJobFinished) {
		t.Fatalf("claim of a finished job: %v, want ErrJobFinished", err)
	}
	read, err := st.Job(c, j.ID)
	if err != nil || read.Status != store.JobSucceeded || read.Error != "" || read.Attempts != 2 {
		t.Fatalf("after all: %+v, %v", read, err)
	}
	jsonEq(t, "result", read.Result, `{"by":"w2"}`)
	if _, err := st.FinishJob(c, j.ID, second.Fence, store.JobOutcome{Status: store.JobRunning}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("finish as running: %v, want ErrInvalid", err)
	}
	if _, err := st.ClaimJob(c, "nope", "w", time.Time{}, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("claim of an unknown job: %v, want ErrNotFound", err)
	}
}

func testJobsConcurrentClaims(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	j, _, err := st.CreateJob(c, newJob("defrag", "prod", base))
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	fences := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got, err := st.ClaimJob(c, j.ID, fmt.Sprintf("w%d", i), time.Time{}, 0)
			if err != nil {
				t.Errorf("claim %d: %v", i, err)
				return
			}
			fences[i] = got.Fence
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	var top int64
	for _, f := range fences {
		if seen[f] {
			t.Fatalf("fences %v: two claims got the same token", fences)
		}
		seen[f], top = true, max(top, f)
	}
	// Exactly one holder (the last claim) may finish; every other is refused.
	wins := 0
	for i, f := range fences {
		_, err := st.FinishJob(c, j.ID, f, store.JobOutcome{Status: store.JobSucceeded, Result: json.RawMessage(fmt.Sprintf(`{"w":%d}`, i))})
		switch {
		case err == nil:
			wins++
			if f != top {
				t.Fatalf("fence %d finished, but %d is current", f, top)
			}
		case !errors.Is(err, store.ErrFenced) && !errors.Is(err, store.ErrJobFinished):
			t.Fatalf("finish with fence %d: %v", f, err)
		}
	}
	read, _ := st.Job(c, j.ID)
	if wins != 1 || read.Attempts != n || read.Fence != top {
		t.Fatalf("%d finishes won, record %+v; want 1 with %d attempts", wins, read, n)
	}
}

func testJobsConcurrentFinishes(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	j, _, _ := st.CreateJob(c, newJob("defrag", "prod", base))
	claimed, err := st.ClaimJob(c, j.ID, "w1", time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	wins := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_, err := st.FinishJob(c, j.ID, claimed.Fence, store.JobOutcome{Status: store.JobSucceeded, Result: json.RawMessage(fmt.Sprintf(`{"w":%d}`, i))})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				wins++
			} else if !errors.Is(err, store.ErrJobFinished) {
				t.Errorf("finish %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d finishes with one token won, want 1", wins)
	}
}

func testJobsReleaseAndCancel(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	j, _, _ := st.CreateJob(c, newJob("defrag", "prod", base))
	cl, _ := st.ClaimJob(c, j.ID, "w1", time.Time{}, 0)
	rel, err := st.ReleaseJob(c, j.ID, cl.Fence, true, "")
	if err != nil || rel.Status != store.JobQueued || rel.Attempts != 0 || rel.Worker != "" {
		t.Fatalf("uncounted release: %+v, %v", rel, err)
	}
	cl, _ = st.ClaimJob(c, j.ID, "w1", time.Time{}, 0)
	rel, err = st.ReleaseJob(c, j.ID, cl.Fence, false, "boom")
	if err != nil || rel.Attempts != 1 || rel.Error != "boom" {
		t.Fatalf("counted release: %+v, %v", rel, err)
	}
	if _, err := st.FinishJob(c, j.ID, cl.Fence, store.JobOutcome{Status: store.JobSucceeded}); !errors.Is(err, store.ErrFenced) {
		t.Fatalf("finish of a released job: %v, want ErrFenced", err)
	}
	// Cancel of a running job sets the flag; its worker sees it on heartbeat.
	cl, _ = st.ClaimJob(c, j.ID, "w2", time.Time{}, 0)
	if got, err := st.RequestJobCancel(c, j.ID, time.Time{}); err != nil || !got.CancelRequested || got.Status != store.JobRunning {
		t.Fatalf("cancel running: %+v, %v", got, err)
	}
	hb, err := st.HeartbeatJob(c, j.ID, cl.Fence, nil, time.Time{})
	if err != nil || !hb.CancelRequested {
		t.Fatalf("heartbeat after cancel: %+v, %v", hb, err)
	}
	if got, err := st.FinishJob(c, j.ID, cl.Fence, store.JobOutcome{Status: store.JobCancelled, Error: "cancelled"}); err != nil || got.Status != store.JobCancelled {
		t.Fatalf("finish cancelled: %+v, %v", got, err)
	}
	// Cancel of a queued job finishes it at once.
	q, _, _ := st.CreateJob(c, newJob("defrag", "prod", base))
	got, err := st.RequestJobCancel(c, q.ID, base.Add(time.Hour))
	if err != nil || got.Status != store.JobCancelled || !got.FinishedAt.Equal(base.Add(time.Hour)) {
		t.Fatalf("cancel queued: %+v, %v", got, err)
	}
	if _, err := st.ClaimJob(c, q.ID, "w", time.Time{}, 0); !errors.Is(err, store.ErrJobFinished) {
		t.Fatalf("claim of a cancelled job: %v, want ErrJobFinished", err)
	}
	if again, err := st.RequestJobCancel(c, q.ID, time.Time{}); err != nil || !again.FinishedAt.Equal(got.FinishedAt) {
		t.Fatalf("cancel twice: %+v, %v", again, err)
	}
	if _, err := st.RequestJobCancel(c, "nope", time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancel unknown: %v, want ErrNotFound", err)
	}
}
