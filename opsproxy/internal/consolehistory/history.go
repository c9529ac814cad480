package consolehistory

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// listHistory answers a page of the caller's history, newest first: ?cluster= keeps one
// cluster's, ?q= the lines containing the text (case-insensitive), ?limit= (default 100, at
// most 1000) and ?cursor= (the previous page's next) page it. A token scoped to some clusters
// sees only their entries.
func (s *api) listHistory(c *core.Call) (any, error) {
	q := c.R.URL.Query()
	limit, err := apihttp.QueryInt(q, "limit", 0)
	if err != nil {
		return nil, err
	}
	if limit > store.MaxConsoleHistoryLimit {
		return nil, apihttp.Errorf(http.StatusBadRequest, "limit: at most %d", store.MaxConsoleHistoryLimit)
	}
	f := store.ConsoleHistoryFilter{
		User:     c.P.User,
		Cluster:  q.Get("cluster"),
		Clusters: c.P.Token.Clusters,
		Contains: q.Get("q"),
		Limit:    int(limit),
		Cursor:   q.Get("cursor"),
	}
	if len(f.Contains) > store.MaxConsoleSearchLen {
		return nil, apihttp.Errorf(http.StatusBadRequest, "q: over %d bytes", store.MaxConsoleSearchLen)
	}
	if _, _, err := store.ParseConsoleCursor(f.Cursor); err != nil {
		return nil, apihttp.Errorf(http.StatusBadRequest, "cursor: not a cursor this API gave (use the previous page's next)")
	}
	if f.Cluster != "" && !c.P.MayUseCluster(f.Cluster) {
		return nil, apihttp.Deniedf("token %s may not act on cluster %q", c.P.Token.ID, f.Cluster)
	}
	page, err := s.Store.ListConsoleHistory(c.R.Context(), f)
	if err != nil {
		return nil, apihttp.StoreError("console history", err)
	}
	return page, nil
}

// clearHistory deletes every entry of the caller's history (whatever the token's cluster
// scope: the history is the user's) and answers how many there were.
func (s *api) clearHistory(c *core.Call) (any, error) {
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	n, err := s.Store.ClearConsoleHistory(c.R.Context(), c.P.User)
	if err != nil {
		return nil, apihttp.StoreError("clear console history", err)
	}
	return map[string]int64{"deleted": n}, nil
}
