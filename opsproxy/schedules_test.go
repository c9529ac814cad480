package opsproxy

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// createSchedule posts a schedule and returns the answer's schedule.
func (e *env) createSchedule(t testing.TB, token string, body any, wantStatus int) store.Schedule {
	t.Helper()
	resp := e.call(t, "POST", "/api/v1/schedules", token, body)
	if resp.status != wantStatus {
		t.Fatalf("create schedule %v: %d, want %d: %s", body, resp.status, wantStatus, resp.body)
	}
	var sc store.Schedule
	resp.json(t, &sc)
	return sc
}

func echoSchedule(name, cron string) map[string]any {
	return map[string]any{"name": name, "kind": "echo", "cluster": "c1", "cron": cron,
		"parameters": map[string]string{"message": name}}
}

// A schedule is created, read, listed, paused, resumed and deleted through the API; every
// change is audited against the user, on both stores.
func TestScheduleLifecycleIsAudited(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			e := jobEnv(t, kind, "queue:\n  workers: 0\n")
			alice := e.token(t, TokenSpec{Name: "alice", Role: "admin"})
			body := echoSchedule("nightly", "0 3 * * *")
			body["timezone"] = "Europe/Paris"
			sc := e.createSchedule(t, alice, body, http.StatusCreated)
			if sc.ID == "" || sc.Name != "nightly" || sc.Kind != "echo" || sc.Cluster != "c1" || sc.Cron != "0 3 * * *" ||
				sc.Timezone != "Europe/Paris" || sc.Paused || sc.CreatedBy != "alice" || string(sc.Parameters) != `{"message":"nightly"}` {
				t.Fatalf("created schedule: %+v", sc)
			}
			if utc := e.createSchedule(t, alice, echoSchedule("hourly", "@hourly"), http.StatusCreated); utc.Timezone != "UTC" {
				t.Fatalf("default time zone: %q", utc.Timezone)
			}
			var got store.Schedule
			if resp := e.call(t, "GET", "/api/v1/schedules/"+sc.ID, alice, nil); resp.status != http.StatusOK {
				t.Fatalf("get: %d %s", resp.status, resp.body)
			} else if resp.json(t, &got); got.ID != sc.ID {
				t.Fatalf("get: %+v", got)
			}
			page := listSchedules(t, e, alice, "?kind=echo&cluster=c1&limit=1")
			if len(page.Schedules) != 1 || page.Next == "" {
				t.Fatalf("first page: %+v", page)
			}
			if rest := listSchedules(t, e, alice, "?limit=1&cursor="+page.Next); len(rest.Schedules) != 1 || rest.Next != "" ||
				rest.Schedules[0].ID == page.Schedules[0].ID {
				t.Fatalf("second page: %+v", rest)
			}
			for _, step := range []struct {
				path   string
				paused bool
			}{{"/pause", true}, {"/pause", true}, {"/resume", false}, {"/pause", true}} {
				resp := e.call(t, "POST", "/api/v1/schedules/"+sc.ID+step.path, alice, nil)
				resp.json(t, &got)
				if resp.status != http.StatusOK || got.Paused != step.paused {
					t.Fatalf("%s: %d %s", step.path, resp.status, resp.body)
				}
			}
			if p := listSchedules(t, e, alice, "?paused=true"); len(p.Schedules) != 1 || p.Schedules[0].ID != sc.ID {
				t.Fatalf("paused schedules: %+v", p.Schedules)
			}
			if p := listSchedules(t, e, alice, "?paused=false"); len(p.Schedules) != 1 || p.Schedules[0].ID == sc.ID {
				t.Fatalf("unpaused schedules: %+v", p.Schedules)
			}
			resp := e.call(t, "DELETE", "/api/v1/schedules/"+sc.ID, alice, nil)
			if resp.status != http.StatusOK || strings.TrimSpace(string(resp.body)) != `{"deleted":"`+sc.ID+`"}` {
				t.Fatalf("delete: %d %s", resp.status, resp.body)
			}
			if resp := e.call(t, "GET", "/api/v1/schedules/"+sc.ID, alice, nil); resp.status != http.StatusNotFound {
				t.Fatalf("get after delete: %d %s", resp.status, resp.body)
			}
			if resp := e.call(t, "DELETE", "/api/v1/schedules/"+sc.ID, alice, nil); resp.status != http.StatusNotFound {
				t.Fatalf("delete again: %d %s", resp.status, resp.body)
			}
			want := []string{
				"jobs.schedule.create/attempted", "jobs.schedule.create/succeeded",
				"jobs.schedule.delete/attempted", "jobs.schedule.delete/succeeded",
				"jobs.schedule.pause/attempted", "jobs.schedule.pause/attempted", "jobs.schedule.pause/attempted",
				"jobs.schedule.pause/succeeded", "jobs.schedule.pause/succeeded", "jobs.schedule.pause/succeeded",
				"jobs.schedule.resume/attempted", "jobs.schedule.resume/succeeded",
			}
			var ops []string
			eventually(t, "the audit of every change", func() bool {
				ops = ops[:0]
				for _, r := range e.allAudit(t) {
					if string(r.Key) == sc.ID && r.User == "alice" && r.Cluster == "c1" && r.Operation != "jobs.schedule.get" {
						ops = append(ops, r.Operation+"/"+string(r.Outcome))
					}
				}
				return len(ops) >= len(want)
			})
			slices.Sort(ops)
			if !slices.Equal(ops, want) {
				t.Fatalf("audit of the schedule:\n%v\nwant\n%v", ops, want)
			}
		})
	}
}

func listSchedules(t testing.TB, e *env, token, query string) store.SchedulePage {
	t.Helper()
	resp := e.call(t, "GET", "/api/v1/schedules"+query, token, nil)
	if resp.status != http.StatusOK {
		t.Fatalf("list schedules%s: %d %s", query, resp.status, resp.body)
	}
	var page store.SchedulePage
	resp.json(t, &page)
	if page.Schedules == nil {
		t.Fatalf("list schedules%s: schedules is not an array: %s", query, resp.body)
	}
	return page
}

// A viewer may not schedule, pause or delete an admin kind; a token limited to another
// cluster may neither create, see, pause, resume nor delete the schedules of c1 (which answer
// 404, as schedules that do not exist).
func TestScheduleRBACByKindRoleAndClusterScope(t *testing.T) {
	e := jobEnv(t, boltStore, "queue:\n  workers: 0\n")
	viewer := e.token(t, TokenSpec{Name: "vera", Role: "viewer"})
	elsewhere := e.token(t, TokenSpec{Name: "otto", Role: "admin", Clusters: []string{"c2"}})
	wait := map[string]any{"name": "w", "kind": "wait", "cluster": "c1", "cron": "@daily"}
	resp := e.call(t, "POST", "/api/v1/schedules", viewer, wait)
	if resp.status != http.StatusForbidden || !strings.Contains(resp.errorText(t), "needs admin") {
		t.Fatalf("viewer schedules an admin kind: %d %s", resp.status, resp.body)
	}
	resp = e.call(t, "POST", "/api/v1/schedules", elsewhere, wait)
	if resp.status != http.StatusForbidden || !strings.Contains(resp.errorText(t), `cluster "c1"`) {
		t.Fatalf("token of c2 schedules on c1: %d %s", resp.status, resp.body)
	}
	sc := e.createSchedule(t, e.admin, wait, http.StatusCreated)
	e.createSchedule(t, viewer, echoSchedule("mine", "@daily"), http.StatusCreated)
	for _, path := range []string{"/pause", "/resume", ""} {
		method := "POST"
		if path == "" {
			method = "DELETE"
		}
		resp := e.call(t, method, "/api/v1/schedules/"+sc.ID+path, viewer, nil)
		if resp.status != http.StatusForbidden || !strings.Contains(resp.errorText(t), "needs admin") {
			t.Errorf("viewer: %s %s: %d %s", method, path, resp.status, resp.body)
		}
	}
	for _, c := range []struct{ method, path string }{
		{"GET", ""}, {"POST", "/pause"}, {"POST", "/resume"}, {"DELETE", ""},
	} {
		resp := e.call(t, c.method, "/api/v1/schedules/"+sc.ID+c.path, elsewhere, nil)
		if resp.status != http.StatusNotFound || !strings.Contains(resp.errorText(t), "no schedule") {
			t.Errorf("token of c2: %s %s: %d %s", c.method, c.path, resp.status, resp.body)
		}
	}
	if page := listSchedules(t, e, elsewhere, ""); len(page.Schedules) != 0 {
		t.Fatalf("token of c2 lists the schedules of c1: %+v", page.Schedules)
	}
	if resp := e.call(t, "GET", "/api/v1/schedules?cluster=c1", elsewhere, nil); resp.status != http.StatusForbidden {
		t.Fatalf("token of c2 lists c1: %d %s", resp.status, resp.body)
	}
	if page := listSchedules(t, e, viewer, ""); len(page.Schedules) != 2 {
		t.Fatalf("viewer sees %d schedules, want 2", len(page.Schedules))
	}
	if got, err := e.store.Schedule(t.Context(), sc.ID); err != nil || got.Paused {
		t.Fatalf("schedule after refused changes: %+v %v", got, err)
	}
}

// Bad bodies are refused naming the field; an oversized one with 413, a duplicate name on the
// cluster with 409. Nothing is stored.
func TestScheduleCreateRejectsBadInputNamingTheField(t *testing.T) {
	e := jobEnv(t, boltStore, "queue:\n  workers: 0\n")
	with := func(field string, value any) map[string]any {
		b := echoSchedule("s", "@daily")
		b[field] = value
		return b
	}
	cases := []struct {
		body   any
		status int
		want   string
	}{
		{`{"name":`, 400, "truncated JSON"},
		{`{"name": "s", "colour": "red"}`, 400, `unknown field "colour"`},
		{with("kind", ""), 400, "kind: must not be empty"},
		{with("kind", "defrag-everything"), 400, `kind: unknown job kind "defrag-everything"`},
		{with("cluster", ""), 400, "cluster: must not be empty"},
		{with("cluster", "nope"), 404, `cluster: no cluster "nope"`},
		{with("name", ""), 400, "name: must not be empty"},
		{with("name", strings.Repeat("n", 200)), 400, "name: over 128 bytes"},
		{with("cron", ""), 400, "cron: must not be empty"},
		{with("cron", "61 * * * *"), 400, `cron: "61 * * * *"`},
		{with("cron", "@every 10s"), 400, "cron: \"@every 10s\": @every must be at least 1m0s"},
		{with("timezone", "Mars/Olympus"), 400, `timezone: "Mars/Olympus" is not an IANA time zone`},
		{with("timezone", "Local"), 400, "timezone: \"Local\" depends on the host"},
		{with("parameters", map[string]int{"message": 3}), 400, "parameters: message: want a string"},
		{with("parameters", []int{1}), 400, "parameters: want a JSON object"},
		{with("parameters", map[string]string{"message": strings.Repeat("x", 70<<10)}), 413, "request body larger than"},
	}
	for _, c := range cases {
		resp := e.call(t, "POST", "/api/v1/schedules", e.admin, c.body)
		if resp.status != c.status || !strings.Contains(resp.errorText(t), c.want) {
			t.Errorf("create %.80v: %d %s, want %d with %q", c.body, resp.status, resp.body, c.status, c.want)
		}
	}
	if page := listSchedules(t, e, e.admin, ""); len(page.Schedules) != 0 {
		t.Fatalf("refused creates stored schedules: %+v", page.Schedules)
	}
	e.createSchedule(t, e.admin, echoSchedule("s", "@daily"), http.StatusCreated)
	resp := e.call(t, "POST", "/api/v1/schedules", e.admin, echoSchedule("s", "@hourly"))
	if resp.status != http.StatusConflict || !strings.Contains(resp.errorText(t), `name: cluster "c1" already has a schedule called "s"`) {
		t.Fatalf("duplicate name: %d %s", resp.status, resp.body)
	}
	for _, q := range []string{"?paused=maybe", "?cursor=zzz", "?limit=0"} {
		if resp := e.call(t, "GET", "/api/v1/schedules"+q, e.admin, nil); resp.status != http.StatusBadRequest {
			t.Errorf("list%s: %d %s", q, resp.status, resp.body)
		}
	}
}

// While the history store is down, the schedules API answers 503 naming the store, never a
// driver's text; when it is back, schedules are created again.
func TestScheduleAPIDuringAStoreOutage(t *testing.T) {
	st, p := openProxiedPostgres(t)
	e := newEnv(t, envOptions{st: st, extra: "queue:\n  workers: 0\n", jobKinds: testJobKinds()})
	sc := e.createSchedule(t, e.admin, echoSchedule("before", "@daily"), http.StatusCreated)
	e.storeDown(t, p)
	for _, c := range []struct {
		method, path string
		body         any
		want         string
	}{
		{"GET", "/api/v1/schedules", nil, "schedules: history store unavailable"},
		{"GET", "/api/v1/schedules/" + sc.ID, nil, "schedule: history store unavailable"},
		{"POST", "/api/v1/schedules", echoSchedule("during", "@daily"), "audit log unavailable"},
		{"POST", "/api/v1/schedules/" + sc.ID + "/pause", nil, "schedule: history store unavailable"},
		{"DELETE", "/api/v1/schedules/" + sc.ID, nil, "schedule: history store unavailable"},
	} {
		resp := e.call(t, c.method, c.path, e.admin, c.body)
		if resp.status != http.StatusServiceUnavailable || !strings.Contains(resp.errorText(t), c.want) {
			t.Errorf("%s %s with the store down: %d %s, want 503 with %q", c.method, c.path, resp.status, resp.body, c.want)
		}
	}
	p.start()
	eventually(t, "a schedule created once the store is back", func() bool {
		return e.call(t, "POST", "/api/v1/schedules", e.admin, echoSchedule("after", "@daily")).status == http.StatusCreated
	})
}

// A schedule created through the API fires when the scheduler's clock passes its slot: one
// job, requested by the schedule, runs to completion and is listed at GET /api/v1/jobs. The
// clock is moved, not waited for.
func TestScheduleFiresOneJobThatRuns(t *testing.T) {
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			var ahead atomic.Int64
			clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
			e := newEnv(t, envOptions{store: kind, extra: jobsQueue + "  schedule_interval: 1s\n", jobKinds: testJobKinds(), scheduleClock: clock})
			alice := e.token(t, TokenSpec{Name: "alice", Role: "viewer"})
			sc := e.createSchedule(t, alice, echoSchedule("every-minute", "@every 1m"), http.StatusCreated)
			ahead.Store(int64(61 * time.Second))
			var fired store.Schedule
			eventually(t, "the slot fired", func() bool {
				resp := e.call(t, "GET", "/api/v1/schedules/"+sc.ID, alice, nil)
				resp.json(t, &fired)
				return fired.LastJobID != ""
			})
			done := e.waitJob(t, alice, fired.LastJobID, hasStatus(store.JobSucceeded))
			if string(done.Result) != `{"echo":"every-minute"}` || done.RequestedBy != "schedule:every-minute (alice)" || done.Cluster != "c1" {
				t.Fatalf("scheduled job: %+v", done)
			}
			page := listJobs(t, e, alice, "?kind=echo")
			if len(page.Jobs) != 1 || page.Jobs[0].ID != done.ID {
				t.Fatalf("jobs after one slot: %+v", page.Jobs)
			}
			metrics := string(e.call(t, "GET", "/metrics", "", nil).body)
			if !strings.Contains(metrics, `etcd_monitor_jobs_schedule_fired_total{kind="echo"} 1`) {
				t.Fatalf("fired_total after one slot not 1:\n%s", grepLines(metrics, "schedule_fired"))
			}
		})
	}
}

// grepLines keeps the lines of text that contain sub.
func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// With queue.scheduler off the process runs no scheduler: it says so, and exposes no scheduler
// metrics; the schedules API still serves.
func TestScheduleSchedulerCanBeTurnedOff(t *testing.T) {
	e := jobEnv(t, boltStore, "queue:\n  workers: 0\n  scheduler: false\n")
	e.createSchedule(t, e.admin, echoSchedule("kept", "@daily"), http.StatusCreated)
	if metrics := string(e.call(t, "GET", "/metrics", "", nil).body); strings.Contains(metrics, "etcd_monitor_jobs_schedule_") {
		t.Fatalf("scheduler metrics with the scheduler off:\n%s", grepLines(metrics, "etcd_monitor_jobs_schedule_"))
	}
	if !strings.Contains(e.log.String(), "queue.scheduler is off") {
		t.Fatalf("the log does not say the scheduler is off:\n%s", e.log.String())
	}
}

// etcd-monitor worker runs the scheduler too: with opsproxy's turned off, a schedule created
// through opsproxy's API is fired by the worker, whose workers run the job; opsproxy lists it.
func TestScheduleFiredByTheWorker(t *testing.T) {
	redis := redistest.Start(t, "")
	st := openStore(t, postgresStore)
	queue := fmt.Sprintf("queue:\n  redis_url: %s\n  stream: %s\n  visibility_timeout: 1s\n  schedule_interval: 1s\n", redis.URL(), "s"+store.NewID()[:8])
	e := newEnv(t, envOptions{st: st, extra: queue + "  workers: 0\n  scheduler: false\n", jobKinds: testJobKinds()})
	cfg, err := LoadConfig(writeConfig(t, t.TempDir(), clusterEntry("c1", etcdtest.Shared(t)), queue))
	if err != nil {
		t.Fatal(err)
	}
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	w, err := NewWorker(context.Background(), cfg, 1, nil, Options{Store: st, JobKinds: testJobKinds(), ScheduleClock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sc := e.createSchedule(t, e.admin, echoSchedule("by-the-worker", "@every 1m"), http.StatusCreated)
	ahead.Store(int64(61 * time.Second))
	var fired store.Schedule
	eventually(t, "the slot fired", func() bool {
		e.call(t, "GET", "/api/v1/schedules/"+sc.ID, e.admin, nil).json(t, &fired)
		return fired.LastJobID != ""
	})
	e.waitJob(t, e.admin, fired.LastJobID, hasStatus(store.JobSucceeded))
	if page := listJobs(t, e, e.admin, "?kind=echo&status=succeeded"); len(page.Jobs) != 1 || page.Jobs[0].ID != fired.LastJobID {
		t.Fatalf("jobs at opsproxy: %+v", page.Jobs)
	}
}
