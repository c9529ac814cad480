package opsproxy

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/redistest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// With the queue on Redis: while Redis is down, enqueue answers 503 naming the queue and every
// other call goes on; once Redis is back (empty, as after a restart without persistence), the
// workers reconnect and run the jobs recorded meanwhile, without a restart. The Redis password
// is in no answer, log line or metric.
func TestJobRedisDownRefusesEnqueueAndDrainsWhenBack(t *testing.T) {
	const password = "r3dis-Pa55word"
	for _, kind := range storeKinds {
		t.Run(string(kind), func(t *testing.T) {
			redis := redistest.Start(t, password)
			e := jobEnv(t, kind, fmt.Sprintf("queue:\n  redis_url: %s\n  stream: %s\n  visibility_timeout: 1s\n", redis.URL(), "t"+store.NewID()[:8]))
			echo := func(msg string) map[string]any {
				return map[string]any{"kind": "echo", "cluster": "c1", "parameters": map[string]string{"message": msg}, "idempotency_key": msg}
			}
			before := e.enqueue(t, e.admin, echo("before"), http.StatusAccepted)
			e.waitJob(t, e.admin, before.ID, hasStatus(store.JobSucceeded))

			redis.Stop()
			var bodies []string
			resp := e.call(t, "POST", "/api/v1/jobs", e.admin, echo("during"))
			bodies = append(bodies, string(resp.body))
			if resp.status != http.StatusServiceUnavailable || !strings.Contains(resp.errorText(t), "queue t") {
				t.Fatalf("enqueue with Redis down: %d %s", resp.status, resp.body)
			}
			for _, path := range []string{"/api/v1/jobs", "/api/v1/jobs/" + before.ID, "/api/v1/clusters/c1/keys?key=%2Fjobs-redis-down"} {
				resp := e.call(t, "GET", path, e.admin, nil)
				bodies = append(bodies, string(resp.body))
				if resp.status != http.StatusOK && !(strings.Contains(path, "keys") && resp.status == http.StatusNotFound) {
					t.Errorf("GET %s with Redis down: %d %s", path, resp.status, resp.body)
				}
			}
			metrics := e.call(t, "GET", "/metrics", "", nil)
			if !strings.Contains(string(metrics.body), "etcd_monitor_jobs_queue_up 0") {
				t.Errorf("queue_up with Redis down is not 0")
			}

			queued := listJobs(t, e, e.admin, "?status=queued")
			if len(queued.Jobs) != 1 {
				t.Fatalf("jobs recorded while Redis was down: %+v", queued.Jobs)
			}
			redis.Restart()
			// Nothing sends the job again: the reconciler finds its record missing from the
			// queue and enqueues it, and the workers, back on Redis, run it.
			e.waitJob(t, e.admin, queued.Jobs[0].ID, hasStatus(store.JobSucceeded))
			// The client redials in the background after failed dials: the first calls may
			// still fail.
			var after store.Job
			eventually(t, "an enqueue after Redis came back", func() bool {
				resp := e.call(t, "POST", "/api/v1/jobs", e.admin, echo("after"))
				resp.json(t, &after)
				return resp.status == http.StatusAccepted
			})
			e.waitJob(t, e.admin, after.ID, hasStatus(store.JobSucceeded))

			metrics = e.call(t, "GET", "/metrics", "", nil)
			bodies = append(bodies, string(metrics.body), e.log.String())
			for _, r := range e.allAudit(t) {
				bodies = append(bodies, fmt.Sprintf("%+v", r))
			}
			for _, b := range bodies {
				if strings.Contains(b, password) {
					t.Fatalf("the Redis password shows in %.200s", b)
				}
			}
		})
	}
}
