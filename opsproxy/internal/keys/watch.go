package keys

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// WatchEvent is the data of a `put` or `delete` event.
type WatchEvent struct {
	Type   string `json:"type"`
	KV     KV     `json:"kv"`
	PrevKV *KV    `json:"prev_kv,omitempty"`
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
func (s *api) watchKeys(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	kr, err := keyRangeOf(c, q)
	if err != nil {
		return nil, err
	}
	forceBase64, err := queryEncoding(q)
	if err != nil {
		return nil, err
	}
	start, err := apihttp.QueryInt(q, "start_revision", 0)
	if err != nil {
		return nil, err
	}
	prevKV, err := apihttp.QueryBool(q, "prev_kv")
	if err != nil {
		return nil, err
	}
	if last := c.R.Header.Get("Last-Event-ID"); last != "" {
		rev, err := strconv.ParseInt(last, 10, 64)
		if err != nil || rev < 0 {
			return nil, apihttp.Errorf(http.StatusBadRequest, "Last-Event-ID: want the revision of the last event received")
		}
		start = rev + 1
	}
	flusher, ok := c.W.(http.Flusher)
	if !ok {
		return nil, apihttp.Errorf(http.StatusInternalServerError, "streaming is not supported by this connection")
	}
	if err := s.watches.acquire(c.R.Context(), c.P.User, c.P.Token.ID); err != nil {
		return nil, apihttp.Errorf(http.StatusTooManyRequests, "%w", err)
	}
	defer s.watches.release(c.P.User, c.P.Token.ID)
	s.Metrics.WatchesOpen.Inc()
	defer s.Metrics.WatchesOpen.Dec()

	ctx, cancel := context.WithCancel(clientv3.WithRequireLeader(c.R.Context()))
	defer cancel()
	stop := context.AfterFunc(s.Streams, cancel)
	defer stop()
	// A reload that retires the cluster's connection ends the watch; the client resumes with
	// Last-Event-ID on the new one.
	stopRetired := context.AfterFunc(c.Cluster.RetiredContext(), cancel)
	defer stopRetired()
	watcher := clientv3.NewWatcher(c.Cli)
	defer watcher.Close()
	opts := append(kr.options(), clientv3.WithProgressNotify(), clientv3.WithRev(start))
	if prevKV {
		opts = append(opts, clientv3.WithPrevKV())
	}
	ch := watcher.Watch(ctx, string(kr.key), opts...)

	c.W.Header().Set("Content-Type", "text/event-stream")
	c.W.Header().Set("Cache-Control", "no-cache")
	c.W.Header().Set("X-Accel-Buffering", "no")
	c.W.WriteHeader(http.StatusOK)
	c.Streamed = true
	out := sseWriter{w: c.W, f: flusher}
	fmt.Fprintf(c.W, ": watching from revision %d\n\n", start)
	flusher.Flush()

	tick := time.NewTicker(time.Duration(s.Config().Watch.ProgressInterval))
	defer tick.Stop()
	var sent int64
	for {
		select {
		case <-tick.C:
			if err := watcher.RequestProgress(ctx); err != nil && ctx.Err() == nil {
				s.Logger.Debug("watch progress request", "request_id", c.Rec.RequestID, "err", err)
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
				return nil, apihttp.Errorf(http.StatusGone, "start revision %d is compacted (compact revision %d)", start, resp.CompactRevision)
			}
			if err := resp.Err(); err != nil {
				if ctx.Err() != nil {
					return nil, nil
				}
				_, msg := apihttp.StatusOf(err)
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
				we := WatchEvent{Type: "put", KV: kvOf(ev.Kv, false, forceBase64)}
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
