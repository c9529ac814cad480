package backupapi

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// EventList is the answer of GET /clusters/{cluster}/backup-events.
type EventList struct {
	Events []store.BackupEvent `json:"events"`
}

// listEvents answers GET /clusters/{cluster}/backup-events?location=&kind=&limit=: the stored
// events of the cluster's backups, newest first.
func (s *api) listEvents(c *core.Call) (any, error) {
	cluster, err := s.cluster(c)
	if err != nil {
		return nil, err
	}
	q := c.R.URL.Query()
	f := store.BackupEventFilter{Cluster: cluster}
	if q.Has("location") {
		t, err := s.target(cluster, "location", q.Get("location"))
		if err != nil {
			return nil, err
		}
		f.Location = t.Location
	}
	if k := q.Get("kind"); k != "" {
		if f.Kind = store.BackupEventKind(k); len(k) > maxQueryValue || !f.Kind.Valid() {
			return nil, apihttp.Errorf(http.StatusBadRequest, "kind: want backup, verify, drill, inspect, retention or restore")
		}
	}
	limit, err := apihttp.QueryInt(q, "limit", 1)
	switch {
	case err != nil:
		return nil, err
	case limit > store.MaxJobLimit:
		return nil, apihttp.Errorf(http.StatusBadRequest, "limit: at most %d", store.MaxJobLimit)
	}
	f.Limit = int(limit)
	events, err := s.Store.ListBackupEvents(c.R.Context(), f)
	if err != nil {
		return nil, apihttp.StoreError("backup events", err)
	}
	if events == nil {
		events = []store.BackupEvent{}
	}
	return EventList{Events: events}, nil
}
