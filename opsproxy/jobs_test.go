package opsproxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobqueue"
)

// A job enqueued through the API runs on the in-process workers; its enqueue, start and
// outcome are in the audit log against the user who asked, on both stores.
func TestJobEnqueueRunsAndIsAudited(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := jobEnv(t, kind, "")
			alice := e.token(t, TokenSpec{Name: "alice", Role: "viewer"})
			j := e.enqueue(t, alice, map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": "hi"}}, http.StatusAccepted)
			if j.ID == "" || j.Status != store.JobQueued || j.RequestedBy != "alice" {
				t.Fatalf("enqueued job: %+v", j)
			}
			done := e.waitJob(t, alice, j.ID, hasStatus(store.JobSucceeded))
			if string(done.Result) != `{"echo":"hi"}` || done.Attempts != 1 {
				t.Fatalf("finished job: result %s, attempts %d", done.Result, done.Attempts)
			}
			var ops []string
			eventually(t, "four audit records of the job", func() bool {
				ops = ops[:0]
				for _, r := range e.allAudit(t) {
					if string(r.Key) == j.ID && r.User == "alice" && r.Cluster == "c1" && r.Operation != "jobs.get" {
						ops = append(ops, r.Operation+"/"+string(r.Outcome))
					}
				}
				return len(ops) == 4
			})
			slices.Sort(ops)
			want := []string{"jobs.enqueue/attempted", "jobs.enqueue/succeeded", jobqueue.RunOperation + "/attempted", jobqueue.RunOperation + "/succeeded"}
			if !slices.Equal(ops, want) {
				t.Fatalf("audit of the job: %v, want %v", ops, want)
			}
			if v, err := e.store.VerifyAudit(t.Context()); err != nil || !v.OK() {
				t.Fatalf("audit chain after worker records: %+v %v", v, err)
			}
		})
	}
}

// A viewer may not enqueue an admin kind; a token limited to another cluster may neither
// enqueue, see nor cancel the jobs of c1 (which answer 404, as jobs that do not exist).
func TestJobRBACByKindRoleAndClusterScope(t *testing.T) {
	e := jobEnv(t, boltStore, "queue:\n  workers: 0\n")
	viewer := e.token(t, TokenSpec{Name: "vera", Role: "viewer"})
	elsewhere := e.token(t, TokenSpec{Name: "otto", Role: "admin", Clusters: []string{"c2"}})
	resp := e.call(t, "POST", "/api/v1/jobs", viewer, map[string]any{"kind": "wait", "cluster": "c1"})
	if resp.status != http.StatusForbidden || !strings.Contains(resp.errorText(t), "needs admin") {
		t.Fatalf("viewer enqueues an admin kind: %d %s", resp.status, resp.body)
	}
	resp = e.call(t, "POST", "/api/v1/jobs", elsewhere, map[string]any{"kind": "wait", "cluster": "c1"})
	if resp.status != http.StatusForbidden || !strings.Contains(resp.errorText(t), `cluster "c1"`) {
		t.Fatalf("token of c2 enqueues on c1: %d %s", resp.status, resp.body)
	}
	j := e.enqueue(t, e.admin, map[string]any{"kind": "wait", "cluster": "c1"}, http.StatusAccepted)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/jobs/" + j.ID},
		{"DELETE", "/api/v1/jobs/" + j.ID},
		{"GET", "/api/v1/jobs/" + j.ID + "/events"},
	} {
		resp := e.call(t, c.method, c.path, elsewhere, nil)
		if resp.status != http.StatusNotFound || !strings.Contains(resp.errorText(t), "no job") {
			t.Errorf("token of c2: %s %s: %d %s", c.method, c.path, resp.status, resp.body)
		}
	}
	resp = e.call(t, "GET", "/api/v1/jobs", elsewhere, nil)
	var page store.JobPage
	resp.json(t, &page)
	if resp.status != http.StatusOK || len(page.Jobs) != 0 {
		t.Fatalf("token of c2 lists jobs: %d %s", resp.status, resp.body)
	}
	if resp := e.call(t, "GET", "/api/v1/jobs?cluster=c1", elsewhere, nil); resp.status != http.StatusForbidden {
		t.Fatalf("token of c2 lists the jobs of c1: %d %s", resp.status, resp.body)
	}
	if resp := e.call(t, "DELETE", "/api/v1/jobs/"+j.ID, viewer, nil); resp.status != http.StatusForbidden {
		t.Fatalf("viewer cancels an admin job: %d %s", resp.status, resp.body)
	}
	if got := e.waitJob(t, e.admin, j.ID, func(store.Job) bool { return true }); got.Status != store.JobQueued {
		t.Fatalf("refused cancels changed the job: %+v", got)
	}
}

// Bad bodies are refused naming the field; an oversized one with 413.
func TestJobEnqueueRejectsBadInputNamingTheField(t *testing.T) {
	e := jobEnv(t, boltStore, "queue:\n  workers: 0\n")
	cases := []struct {
		body   any
		status int
		want   string
	}{
		{`{"kind":`, 400, "truncated JSON"},
		{`{"kind": 3}`, 400, "kind: want string"},
		{`{"kind": "echo", "colour": "red"}`, 400, `unknown field "colour"`},
		{map[string]any{}, 400, "kind: must not be empty"},
		{map[string]any{"kind": "defrag-everything", "cluster": "c1"}, 400, `kind: unknown job kind "defrag-everything" (known: backup, backup-drill, backup-inspect, backup-restore, backup-verify, benchmark, defragment, disktest, echo, fail, snapshot, wait)`},
		{map[string]any{"kind": "echo"}, 400, "cluster: must not be empty"},
		{map[string]any{"kind": "echo", "cluster": "nope", "parameters": map[string]string{"message": "x"}}, 404, `cluster: no cluster "nope"`},
		{map[string]any{"kind": "echo", "cluster": "c1"}, 400, "parameters: message: want a string"},
		{map[string]any{"kind": "echo", "cluster": "c1", "parameters": []int{1}}, 400, "parameters: want a JSON object"},
		{map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": "x"}, "idempotency_key": strings.Repeat("k", 300)}, 400, "idempotency_key: longer than"},
		{map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": strings.Repeat("x", 70<<10)}}, 413, "request body larger than"},
		{`{"kind": "echo", "cluster": "c1", "parameters": {"message": "x"}, "idempotency_key": "k\u0000"}`, 400, "idempotency_key: must not contain NUL"},
		{`{"kind": "echo", "cluster": "c1", "parameters": {"message": "x\u0000"}}`, 400, "parameters: escapes a NUL character"},
		{`{"kind": "echo", "cluster": "c1", "parameters": {"message": "\ud800"}}`, 400, "parameters: unpaired surrogate escape"},
	}
	for _, c := range cases {
		resp := e.call(t, "POST", "/api/v1/jobs", e.admin, c.body)
		if resp.status != c.status || !strings.Contains(resp.errorText(t), c.want) {
			t.Errorf("enqueue %.80v: %d %s, want %d with %q", c.body, resp.status, resp.body, c.status, c.want)
		}
	}
	if resp := e.call(t, "GET", "/api/v1/jobs?status=sleeping", e.admin, nil); resp.status != 400 || !strings.Contains(resp.errorText(t), "status:") {
		t.Errorf("list with a bad status: %d %s", resp.status, resp.body)
	}
	if resp := e.call(t, "GET", "/api/v1/jobs?cursor=zzz", e.admin, nil); resp.status != 400 || !strings.Contains(resp.errorText(t), "cursor:") {
		t.Errorf("list with a bad cursor: %d %s", resp.status, resp.body)
	}
	if resp := e.call(t, "GET", "/api/v1/jobs/nope", e.admin, nil); resp.status != 404 {
		t.Errorf("get a job that does not exist: %d %s", resp.status, resp.body)
	}
	if page := listJobs(t, e, e.admin, ""); len(page.Jobs) != 0 {
		t.Fatalf("refused enqueues created jobs: %+v", page.Jobs)
	}
}

// The same idempotency key gives the same job; reused for another job it is refused.
func TestJobIdempotencyKey(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := jobEnv(t, kind, "queue:\n  workers: 0\n")
			body := map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": "once"}, "idempotency_key": "deploy-42"}
			first := e.enqueue(t, e.admin, body, http.StatusAccepted)
			again := e.enqueue(t, e.admin, body, http.StatusOK)
			if again.ID != first.ID {
				t.Fatalf("same key gave jobs %s and %s", first.ID, again.ID)
			}
			body["parameters"] = map[string]string{"message": "twice"}
			if resp := e.call(t, "POST", "/api/v1/jobs", e.admin, body); resp.status != http.StatusConflict || !strings.Contains(resp.errorText(t), "idempotency_key") {
				t.Fatalf("key reused with other parameters: %d %s", resp.status, resp.body)
			}
			body["kind"] = "fail"
			if resp := e.call(t, "POST", "/api/v1/jobs", e.admin, body); resp.status != http.StatusConflict || !strings.Contains(resp.errorText(t), "idempotency_key") {
				t.Fatalf("key reused for another kind: %d %s", resp.status, resp.body)
			}
			if page := listJobs(t, e, e.admin, "?user=test-admin"); len(page.Jobs) != 1 {
				t.Fatalf("jobs after idempotent enqueues: %d", len(page.Jobs))
			}
		})
	}
}

// Concurrent enqueues share the store's transactions (the runtime's JobWriter) and keep
// idempotency exact: of the requests with one key, one creates the job (202) and the others
// get it (200); requests without a key each create their own.
func TestJobConcurrentEnqueuesKeepIdempotencyKeysExact(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := jobEnv(t, kind, "queue:\n  workers: 0\nlimits:\n  rate:\n    per_user: 0\n")
			const perKey = 8
			keys := []string{"deploy-1", "deploy-2", ""}
			type answer struct {
				key    string
				status int
				job    store.Job
			}
			answers := make(chan answer, perKey*len(keys))
			var wg sync.WaitGroup
			for _, key := range keys {
				for range perKey {
					wg.Go(func() {
						body := map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": "m"}, "idempotency_key": key}
						resp := e.call(t, "POST", "/api/v1/jobs", e.admin, body)
						var j store.Job
						_ = json.Unmarshal(resp.body, &j)
						answers <- answer{key, resp.status, j}
					})
				}
			}
			wg.Wait()
			close(answers)
			ids := map[string]map[string]bool{}
			accepted := map[string]int{}
			for a := range answers {
				if a.status != http.StatusAccepted && a.status != http.StatusOK || a.job.ID == "" {
					t.Fatalf("enqueue with key %q: %d %+v", a.key, a.status, a.job)
				}
				if ids[a.key] == nil {
					ids[a.key] = map[string]bool{}
				}
				ids[a.key][a.job.ID] = true
				if a.status == http.StatusAccepted {
					accepted[a.key]++
				}
			}
			for _, key := range keys[:2] {
				if len(ids[key]) != 1 || accepted[key] != 1 {
					t.Errorf("key %s: jobs %v, %d answers 202; want one job, created once", key, ids[key], accepted[key])
				}
			}
			if len(ids[""]) != perKey || accepted[""] != perKey {
				t.Errorf("without a key: %d jobs, %d answers 202; want %d of each", len(ids[""]), accepted[""], perKey)
			}
			if page := listJobs(t, e, e.admin, "?user=test-admin"); len(page.Jobs) != perKey+2 {
				t.Fatalf("%d jobs stored, want %d", len(page.Jobs), perKey+2)
			}
		})
	}
}

// A queued job is cancelled at once, a running one by its worker; both are audited, and a
// finished job cannot be cancelled again.
func TestJobCancelQueuedAndRunning(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := jobEnv(t, kind, "")
			running := e.enqueue(t, e.admin, map[string]any{"kind": "wait", "cluster": "c1"}, http.StatusAccepted)
			e.waitJob(t, e.admin, running.ID, func(j store.Job) bool {
				return j.Status == store.JobRunning && string(j.Progress) == `{"step":"waiting"}`
			})
			resp := e.call(t, "DELETE", "/api/v1/jobs/"+running.ID, e.admin, nil)
			var got store.Job
			resp.json(t, &got)
			if resp.status != http.StatusOK || !got.CancelRequested {
				t.Fatalf("cancel a running job: %d %s", resp.status, resp.body)
			}
			done := e.waitJob(t, e.admin, running.ID, hasStatus(store.JobCancelled))
			if done.Error != "cancelled on request" {
				t.Fatalf("cancelled job's error: %q", done.Error)
			}
			if resp := e.call(t, "DELETE", "/api/v1/jobs/"+running.ID, e.admin, nil); resp.status != http.StatusConflict {
				t.Fatalf("cancel a finished job: %d %s", resp.status, resp.body)
			}
			audit := e.audit(t, resp.header.Get("X-Request-Id"), 2)
			if audit[0].Operation != "jobs.cancel" || string(audit[0].Key) != running.ID {
				t.Fatalf("cancel audit: %+v", audit[0])
			}
		})
	}
	e := jobEnv(t, boltStore, "queue:\n  workers: 0\n")
	queued := e.enqueue(t, e.admin, map[string]any{"kind": "wait", "cluster": "c1"}, http.StatusAccepted)
	resp := e.call(t, "DELETE", "/api/v1/jobs/"+queued.ID, e.admin, nil)
	var got store.Job
	resp.json(t, &got)
	if resp.status != http.StatusOK || got.Status != store.JobCancelled {
		t.Fatalf("cancel a queued job: %d %s", resp.status, resp.body)
	}
}

// The event stream sends the job at each change until it is finished, then ends.
func TestJobEventsStreamProgressUntilFinished(t *testing.T) {
	e := jobEnv(t, boltStore, "")
	j := e.enqueue(t, e.admin, map[string]any{"kind": "wait", "cluster": "c1"}, http.StatusAccepted)
	s, resp := e.stream(t, e.admin, "/api/v1/jobs/"+j.ID+"/events")
	if resp.status != http.StatusOK {
		t.Fatalf("events: %d %s", resp.status, resp.body)
	}
	var seen []store.JobStatus
	var last store.Job
	for ev := range s.events {
		if ev.name != "job" {
			t.Fatalf("event %s: %s", ev.name, ev.data)
		}
		if err := json.Unmarshal([]byte(ev.data), &last); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, last.Status)
		if string(last.Progress) == `{"step":"waiting"}` && !last.CancelRequested {
			if resp := e.call(t, "DELETE", "/api/v1/jobs/"+j.ID, e.admin, nil); resp.status != http.StatusOK {
				t.Fatalf("cancel: %d %s", resp.status, resp.body)
			}
		}
	}
	if last.Status != store.JobCancelled || !slices.Contains(seen, store.JobRunning) {
		t.Fatalf("statuses streamed: %v, last %+v", seen, last)
	}
}

func listJobs(t testing.TB, e *env, token, query string) store.JobPage {
	t.Helper()
	resp := e.call(t, "GET", "/api/v1/jobs"+query, token, nil)
	if resp.status != http.StatusOK {
		t.Fatalf("list jobs: %d %s", resp.status, resp.body)
	}
	var page store.JobPage
	resp.json(t, &page)
	return page
}

// A user may hold limits.max_watches_per_user event streams open, no more.
func TestJobEventsAreCappedPerUser(t *testing.T) {
	e := jobEnv(t, boltStore, "queue:\n  workers: 0\nlimits:\n  max_watches_per_user: 1\n")
	j := e.enqueue(t, e.admin, map[string]any{"kind": "wait", "cluster": "c1"}, http.StatusAccepted)
	first, resp := e.stream(t, e.admin, "/api/v1/jobs/"+j.ID+"/events")
	if resp.status != http.StatusOK {
		t.Fatalf("first stream: %d %s", resp.status, resp.body)
	}
	if ev := first.next(t, "job"); !strings.Contains(ev.data, `"status":"queued"`) {
		t.Fatalf("first event: %s", ev.data)
	}
	if _, resp := e.stream(t, e.admin, "/api/v1/jobs/"+j.ID+"/events"); resp.status != http.StatusTooManyRequests {
		t.Fatalf("second stream of the user: %d %s", resp.status, resp.body)
	}
}

// Closing the server (SIGTERM) lets a running job go on for the grace period, then hands it
// back to the queue without counting the attempt: the job is not lost, and a later server
// serves it.
func TestJobShutdownHandsTheRunningJobBack(t *testing.T) {
	st := openStore(t, postgresStore)
	e := newEnv(t, envOptions{st: st, extra: jobsQueue, jobKinds: testJobKinds()})
	j := e.enqueue(t, e.admin, map[string]any{"kind": "wait", "cluster": "c1"}, http.StatusAccepted)
	e.waitJob(t, e.admin, j.ID, hasStatus(store.JobRunning))
	e.close()
	got, err := st.Job(t.Context(), j.ID)
	if err != nil || got.Status != store.JobQueued || got.Attempts != 0 {
		t.Fatalf("job after shutdown: %+v %v", got, err)
	}
	next := newEnv(t, envOptions{st: st, extra: jobsQueue, jobKinds: testJobKinds()})
	next.waitJob(t, next.admin, j.ID, hasStatus(store.JobRunning))
	if resp := next.call(t, "DELETE", "/api/v1/jobs/"+j.ID, next.admin, nil); resp.status != http.StatusOK {
		t.Fatalf("cancel on the next server: %d %s", resp.status, resp.body)
	}
	next.waitJob(t, next.admin, j.ID, hasStatus(store.JobCancelled))
}

// While the history store is down, the jobs API answers 503 naming the store (the records live
// there), never a driver's text; when it is back, jobs are enqueued and run again.
func TestJobAPIDuringAStoreOutage(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st, extra: jobsQueue, jobKinds: testJobKinds()})
	before := e.enqueue(t, e.admin, map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": "a"}}, http.StatusAccepted)
	e.waitJob(t, e.admin, before.ID, hasStatus(store.JobSucceeded))
	e.storeDown(t, p)
	for _, c := range []struct {
		method, path string
		body         any
		want         string
	}{
		{"GET", "/api/v1/jobs", nil, "jobs: history store unavailable"},
		{"GET", "/api/v1/jobs/" + before.ID, nil, "job: history store unavailable"},
		{"POST", "/api/v1/jobs", map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": "b"}}, "audit log unavailable"},
		{"DELETE", "/api/v1/jobs/" + before.ID, nil, "job: history store unavailable"},
	} {
		resp := e.call(t, c.method, c.path, e.admin, c.body)
		if resp.status != http.StatusServiceUnavailable || !strings.Contains(resp.errorText(t), c.want) {
			t.Errorf("%s %s with the store down: %d %s, want 503 with %q", c.method, c.path, resp.status, resp.body, c.want)
		}
	}
	p.start()
	var after store.Job
	eventually(t, "an enqueue once the store is back", func() bool {
		resp := e.call(t, "POST", "/api/v1/jobs", e.admin, map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": "c"}})
		resp.json(t, &after)
		return resp.status == http.StatusAccepted
	})
	e.waitJob(t, e.admin, after.ID, hasStatus(store.JobSucceeded))
}

// The list filters by kind, status and user and pages with the store's cursor.
func TestJobListFiltersAndPages(t *testing.T) {
	e := jobEnv(t, boltStore, "queue:\n  workers: 0\n")
	alice := e.token(t, TokenSpec{Name: "alice", Role: "admin"})
	for i, tok := range []string{alice, alice, e.admin} {
		e.enqueue(t, tok, map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": fmt.Sprint(i)}}, http.StatusAccepted)
	}
	e.enqueue(t, alice, map[string]any{"kind": "wait", "cluster": "c1"}, http.StatusAccepted)
	first := listJobs(t, e, alice, "?kind=echo&limit=2")
	if len(first.Jobs) != 2 || first.Next == "" {
		t.Fatalf("first page: %d jobs, next %q", len(first.Jobs), first.Next)
	}
	second := listJobs(t, e, alice, "?kind=echo&limit=2&cursor="+first.Next)
	if len(second.Jobs) != 1 || second.Next != "" || second.Jobs[0].ID == first.Jobs[1].ID {
		t.Fatalf("second page: %+v", second)
	}
	if page := listJobs(t, e, alice, "?user=alice&kind=echo&status=queued"); len(page.Jobs) != 2 {
		t.Fatalf("alice's queued echo jobs: %d, want 2", len(page.Jobs))
	}
	if page := listJobs(t, e, alice, "?status=running"); len(page.Jobs) != 0 {
		t.Fatalf("running jobs without workers: %d", len(page.Jobs))
	}
}
