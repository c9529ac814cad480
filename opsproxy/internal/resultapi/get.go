package resultapi

import (
	"errors"
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Get reads the result of kind k called id, given in the request as field ("id", "against",
// "result_id"), for c: 400 naming field when id is empty or too long; 404 when no result is
// called id, or it is of another kind, or of a cluster the token may not read (as if it did
// not exist). Its cluster is recorded on c unless the request named one already.
func Get(c *core.Call, st store.ResultStore, k Kind, field, id string) (store.Result, error) {
	if id == "" || len(id) > maxQueryValue {
		return store.Result{}, apihttp.Errorf(http.StatusBadRequest, "%s: want a %s id", field, k.Noun)
	}
	r, err := st.Result(c.R.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && (r.Kind != k.Result || !c.P.MayUseCluster(r.Cluster))):
		return store.Result{}, apihttp.Errorf(http.StatusNotFound, "%s: no %s %q", field, k.Noun, id)
	case err != nil:
		return store.Result{}, apihttp.StoreError(k.Noun, err)
	}
	if c.Rec.Cluster == "" {
		c.Rec.Cluster = r.Cluster
	}
	return r, nil
}
