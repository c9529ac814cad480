package opsproxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// The job kinds opsproxy runs are the real ones: a snapshot job's file is listed and described
// by the snapshot API like one saved through it, and a defragmentation's dry run plans every
// member without touching one. A viewer may enqueue neither.
func TestBuiltInJobKindsRunThroughTheAPI(t *testing.T) {
	e := newEnv(t, envOptions{extra: jobsQueue})
	viewer := e.token(t, TokenSpec{Name: "viewer", Role: "viewer"})
	e.enqueue(t, viewer, map[string]any{"kind": "snapshot", "cluster": "c1"}, http.StatusForbidden)

	snap := e.enqueue(t, e.admin, map[string]any{"kind": "snapshot", "cluster": "c1", "parameters": map[string]string{"name": "from-a-job.db"}}, http.StatusAccepted)
	done := e.waitJob(t, e.admin, snap.ID, func(j store.Job) bool { return j.Status.Final() })
	if done.Status != store.JobSucceeded {
		t.Fatalf("snapshot job: %s %s", done.Status, done.Error)
	}
	var result struct {
		Name   string `json:"name"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(done.Result, &result); err != nil || result.Name != "from-a-job.db" || result.Size == 0 || len(result.SHA256) != 64 {
		t.Fatalf("snapshot job result %s (%v)", done.Result, err)
	}
	if r := e.call(t, "GET", "/api/v1/snapshots", e.admin, nil); r.status != 200 || !strings.Contains(string(r.body), "from-a-job.db") {
		t.Fatalf("the job's snapshot is not listed: %d %s", r.status, r.body)
	}
	if r := e.call(t, "GET", "/api/v1/snapshots/from-a-job.db", e.admin, nil); r.status != 200 || !strings.Contains(string(r.body), result.SHA256) {
		t.Fatalf("the job's snapshot is not described with its sha256: %d %s", r.status, r.body)
	}

	plan := e.enqueue(t, e.admin, map[string]any{"kind": "defragment", "cluster": "c1", "parameters": map[string]any{"dry_run": true}}, http.StatusAccepted)
	done = e.waitJob(t, e.admin, plan.ID, func(j store.Job) bool { return j.Status.Final() })
	if done.Status != store.JobSucceeded || !strings.Contains(string(done.Result)+string(done.Progress), `"members"`) {
		t.Fatalf("defragment dry run: %s %s result %s progress %s", done.Status, done.Error, done.Result, done.Progress)
	}
}
