package jobsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// pollInterval is how often an event stream reads the job's record: the record in the store
// is the truth, whichever process's worker runs the job.
const pollInterval = 250 * time.Millisecond

// events streams the job as Server-Sent Events: a `job` event with the whole record first and
// at every change of its status, progress, attempts, worker or cancel flag, until it is
// finished (the last `job` event has a final status), then the stream ends. A store error ends
// it with an `error` event; the client may open it again.
func (s *api) events(c *core.Call) (any, error) {
	job, err := s.lookup(c)
	if err != nil {
		return nil, err
	}
	flusher, ok := c.W.(http.Flusher)
	if !ok {
		return nil, apihttp.Errorf(http.StatusInternalServerError, "streaming is not supported by this connection")
	}
	if err := s.streams.acquire(c.R.Context(), c.P.User); err != nil {
		return nil, apihttp.Errorf(http.StatusTooManyRequests, "%w", err)
	}
	defer s.streams.release(c.P.User)
	ctx, cancel := context.WithCancel(c.R.Context())
	defer cancel()
	stop := context.AfterFunc(s.Streams, cancel)
	defer stop()

	c.W.Header().Set("Content-Type", "text/event-stream")
	c.W.Header().Set("Cache-Control", "no-cache")
	c.W.Header().Set("X-Accel-Buffering", "no")
	c.W.WriteHeader(http.StatusOK)
	c.Streamed = true
	send := func(name string, v any) error {
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c.W, "event: %s\ndata: %s\n\n", name, raw); err != nil {
			return err
		}
		flusher.Flush()
		return nil
	}
	var last []byte
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if seen := fingerprint(job); !bytes.Equal(seen, last) {
			last = seen
			if send("job", job) != nil {
				return nil, nil
			}
		}
		if job.Status.Final() {
			return nil, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil
		case <-tick.C:
		}
		if job, err = s.Store.Job(ctx, job.ID); err != nil {
			if ctx.Err() != nil {
				return nil, nil
			}
			_, msg := apihttp.StatusOf(apihttp.StoreError("job", err))
			_ = send("error", map[string]string{"error": msg})
			return nil, nil
		}
	}
}

// fingerprint is what of a job an event reports a change of (not the heartbeat time, which
// changes at every heartbeat).
func fingerprint(j store.Job) []byte {
	raw, _ := json.Marshal([]any{j.Status, j.Progress, j.Attempts, j.Worker, j.CancelRequested, j.Error, j.Result})
	return raw
}
