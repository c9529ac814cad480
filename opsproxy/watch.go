package opsproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// watchEvent is the data of a `put` or `delete` event.
type watchEvent struct {
	Type   string `json:"type"`
	KV     kv     `json:"kv"`
	PrevKV *kv    `json:"prev_kv,omitempty"`
}

// sseWriter writes Server-Sent Events and flushes each one.
type sseWriter struct {
	w http.ResponseWriter
	f http.Flusher
}

func (s sseWriter) event(id int64, name string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if id > 0 {
		if _, err := fmt.Fprintf(s.w, "id: %d\n", id); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", name, raw); err != nil {
		return err
	}
	s.f.Flush()
	return nil
}

// watchKeys streams the changes of a key or range as Server-Sent Events: `put` and `delete`
// (the event id, set on the last event of each revision, is that revision), `progress` (the
// revision every event up to which has been sent), `compacted` (the start revision is gone:
// the client must read again and watch from the revision it read at) and `error`. A client
// resumes by sending the last id it saw as Last-Event-ID.
func (s *Server) watchKeys(c *opCall) (any, error) {
	q := c.r.URL.Query()
	kr, err := c.keyRange(q)
	if err != nil {
		return nil, err
	}
	forceBase64, err := queryEncoding(q)
	if err != nil {
		return nil, err
	}
	start, err := queryInt(q, "start_revision", 0)
	if err != nil {
		return nil, err
	}
	prevKV, err := queryBool(q, "prev_kv")
	if err != nil {
		return nil, err
	}
	if last := c.r.Header.Get("Last-Event-ID"); last != "" {
		rev, err := strconv.ParseInt(last, 10, 64)
		if err != nil || rev < 0 {
			return nil, errorf(http.StatusBadRequest, "Last-Event-ID: want the revision of the last event received")
		}
		start = rev + 1
	}
	flusher, ok := c.w.(http.Flusher)
	if !ok {
		return nil, errorf(http.StatusInternalServerError, "streaming is not supported by this connection")
	}
	if !s.watches.acquire(c.p.user) {
		return nil, errorf(http.StatusTooManyRequests, "user %s has %d open watches, the most allowed", c.p.user, s.config().Limits.MaxWatchesPerUser)
	}
	defer s.watches.release(c.p.user)
	s.metrics.watchesOpen.Inc()
	defer s.metrics.watchesOpen.Dec()

	ctx, cancel := context.WithCancel(clientv3.WithRequireLeader(c.r.Context()))
	defer cancel()
	stop := context.AfterFunc(s.streams, cancel)
	defer stop()
	// A reload that retires the cluster's connection ends the watch; the client resumes with
	// Last-Event-ID on the new one.
	stopRetired := context.AfterFunc(c.cluster.life.retired, cancel)
	defer stopRetired()
	watcher := clientv3.NewWatcher(c.cli)
	defer watcher.Close()
	opts := append(kr.options(), clientv3.WithProgressNotify(), clientv3.WithRev(start))
	if prevKV {
		opts = append(opts, clientv3.WithPrevKV())
	}
	ch := watcher.Watch(ctx, string(kr.key), opts...)

	c.w.Header().Set("Content-Type", "text/event-stream")
	c.w.Header().Set("Cache-Control", "no-cache")
	c.w.Header().Set("X-Accel-Buffering", "no")
	c.w.WriteHeader(http.StatusOK)
	c.streamed = true
	out := sseWriter{w: c.w, f: flusher}
	fmt.Fprintf(c.w, ": watching from revision %d\n\n", start)
	flusher.Flush()

	tick := time.NewTicker(time.Duration(s.config().Watch.ProgressInterval))
	defer tick.Stop()
	var sent int64
	for {
		select {
		case <-tick.C:
			if err := watcher.RequestProgress(ctx); err != nil && ctx.Err() == nil {
				s.logger.Debug("watch progress request", "request_id", c.rec.RequestID, "err", err)
			}
			continue
		case resp, ok := <-ch:
			if !ok {
				return nil, nil
			}
			if resp.CompactRevision != 0 {
				_ = out.event(0, "compacted", map[string]any{
					"compact_revision": resp.CompactRevision,
					"error":            fmt.Sprintf("revision %d is compacted: read again and watch from the revision read at (the oldest available is %d)", start, resp.CompactRevision),
				})
				return nil, errorf(http.StatusGone, "start revision %d is compacted (compact revision %d)", start, resp.CompactRevision)
			}
			if err := resp.Err(); err != nil {
				if ctx.Err() != nil {
					return nil, nil
				}
				_, msg := statusOf(err)
				_ = out.event(0, "error", map[string]string{"error": msg})
				return nil, err
			}
			if resp.IsProgressNotify() {
				if rev := resp.Header.Revision; rev >= sent {
					sent = rev
					if err := out.event(rev, "progress", map[string]int64{"revision": rev}); err != nil {
						return nil, nil
					}
				}
				continue
			}
			for i, ev := range resp.Events {
				we := watchEvent{Type: "put", KV: kvOf(ev.Kv, false, forceBase64)}
				if ev.Type == clientv3.EventTypeDelete {
					we.Type = "delete"
				}
				if ev.PrevKv != nil {
					p := kvOf(ev.PrevKv, false, forceBase64)
					we.PrevKV = &p
				}
				var id int64
				rev := ev.Kv.ModRevision
				if i == len(resp.Events)-1 || resp.Events[i+1].Kv.ModRevision != rev {
					id, sent = rev, rev
				}
				if err := out.event(id, we.Type, we); err != nil {
					return nil, nil
				}
			}
		}
	}
}
