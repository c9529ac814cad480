package opsproxy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// testJobKinds are the kinds the jobs tests enqueue: echo (viewer) answers its message,
// wait (admin) reports progress and waits until it is cancelled, fail (editor) always fails.
func testJobKinds() []jobs.Kind {
	return []jobs.Kind{
		{Name: "echo", Role: "viewer", Cluster: true,
			Validate: func(raw json.RawMessage) error {
				var p struct {
					Message *string `json:"message"`
				}
				if err := json.Unmarshal(raw, &p); err != nil || p.Message == nil {
					return errors.New("message: want a string")
				}
				return nil
			},
			Handler: func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
				var p struct {
					Message string `json:"message"`
				}
				_ = json.Unmarshal(run.Job.Parameters, &p)
				return json.Marshal(map[string]string{"echo": p.Message})
			}},
		{Name: "wait", Role: "admin", Cluster: true, Mutating: true,
			Handler: func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
				run.Progress(json.RawMessage(`{"step":"waiting"}`))
				<-ctx.Done()
				return nil, ctx.Err()
			}},
		{Name: "fail", Role: "editor", Cluster: true,
			Handler: func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
				return nil, errors.New("this kind always fails")
			}},
	}
}

// jobsQueue is the queue section of the jobs tests: short leases, so that heartbeats (a third
// of it) carry progress and cancels quickly.
const jobsQueue = "queue:\n  visibility_timeout: 1s\n  max_attempts: 2\n"

// jobEnv is a server with the test kinds.
func jobEnv(t testing.TB, kind storeKind, extra string) *env {
	t.Helper()
	if extra == "" {
		extra = jobsQueue
	}
	return newEnv(t, envOptions{store: kind, extra: extra, jobKinds: testJobKinds()})
}

// enqueue posts a job and returns the answer's job.
func (e *env) enqueue(t testing.TB, token string, body any, wantStatus int) store.Job {
	t.Helper()
	resp := e.call(t, "POST", "/api/v1/jobs", token, body)
	if resp.status != wantStatus {
		t.Fatalf("enqueue %v: %d, want %d: %s", body, resp.status, wantStatus, resp.body)
	}
	var j store.Job
	resp.json(t, &j)
	return j
}

// waitJob reads the job until ok accepts it.
func (e *env) waitJob(t testing.TB, token, id string, ok func(store.Job) bool) store.Job {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp := e.call(t, "GET", "/api/v1/jobs/"+id, token, nil)
		if resp.status != http.StatusOK {
			t.Fatalf("get job %s: %d %s", id, resp.status, resp.body)
		}
		var j store.Job
		resp.json(t, &j)
		if ok(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s stayed %s (%s)", id, j.Status, resp.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func hasStatus(s store.JobStatus) func(store.Job) bool {
	return func(j store.Job) bool { return j.Status == s }
}
