package resultapi

import (
	"net/http"
	"net/url"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// MaxListLimit bounds a page of results.
const MaxListLimit = 500

// maxQueryValue bounds a name or id given in a query or path.
const maxQueryValue = 256

// QueryValue reads the query parameter name: a cluster, member, profile or engine of at most
// 256 characters.
func QueryValue(q url.Values, name string) (string, error) {
	v := q.Get(name)
	if len(v) > maxQueryValue {
		return "", apihttp.Errorf(http.StatusBadRequest, "%s: longer than %d characters", name, maxQueryValue)
	}
	return v, nil
}

// ListFilter reads the query of a list of k's results for c: cluster, the result's name
// under nameParam ("profile", "member") and limit (1 to MaxListLimit; absent, the store's
// default). A token limited to clusters lists only theirs (core.Principal.ListCluster); the
// cluster listed is recorded on c.
func ListFilter(c *core.Call, k Kind, nameParam string) (store.ResultFilter, error) {
	q := c.R.URL.Query()
	f := store.ResultFilter{Kind: k.Result, Limit: store.DefaultResultLimit}
	var err error
	if f.Cluster, err = QueryValue(q, "cluster"); err != nil {
		return f, err
	}
	if f.Name, err = QueryValue(q, nameParam); err != nil {
		return f, err
	}
	limit, err := apihttp.QueryInt(q, "limit", 1)
	if err != nil {
		return f, err
	}
	if limit > MaxListLimit {
		return f, apihttp.Errorf(http.StatusBadRequest, "limit: at most %d", MaxListLimit)
	}
	if limit > 0 {
		f.Limit = int(limit)
	}
	if f.Cluster, err = c.P.ListCluster(f.Cluster, k.Plural); err != nil {
		return f, err
	}
	c.Rec.Cluster = f.Cluster
	return f, nil
}

// List reads the results f selects, newest first.
func List(c *core.Call, st store.ResultStore, k Kind, f store.ResultFilter) ([]store.Result, error) {
	results, err := st.ListResults(c.R.Context(), f)
	if err != nil {
		return nil, apihttp.StoreError(k.Plural, err)
	}
	return results, nil
}
