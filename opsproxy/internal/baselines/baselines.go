package baselines

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/resultapi"
)

// maxBody bounds a PUT of a baseline: one id.
const maxBody = 4 << 10

// MaxNameLen bounds a baseline's name (a benchmark baseline's, a member's).
const MaxNameLen = 128

// CheckName accepts names of letters, digits, '.', '_' and '-' (they go in URLs and labels);
// field names the part of the request in the error.
func CheckName(field, name string) error {
	if name == "" || len(name) > MaxNameLen {
		return apihttp.Errorf(http.StatusBadRequest, "%s: want 1 to %d characters", field, MaxNameLen)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return apihttp.Errorf(http.StatusBadRequest, "%s: want letters, digits, '.', '_' or '-'", field)
		}
	}
	return nil
}

// Kind describes one kind of result's baselines.
type Kind struct {
	resultapi.Kind
	// Fits returns nil when r, of this kind and a cluster the caller may use, may be the
	// baseline called name of cluster, else the reason it may not (answered 409).
	Fits func(r store.Result, cluster, name string) error
}

// setRequest is the body of a PUT of a baseline.
type setRequest struct {
	ResultID string `json:"result_id"`
}

// Get returns the baseline called name of cluster; what names it in errors.
func Get(c *core.Call, st store.ResultStore, k Kind, cluster, name, what string) (store.Baseline, error) {
	b, err := st.Baseline(c.R.Context(), k.Result, cluster, name)
	if err != nil {
		return b, apihttp.StoreError(what, err)
	}
	return b, nil
}

// Set points the baseline called name of cluster at the result the request body names,
// replacing what it pointed at, and returns it as stored. A result of another kind, or of a
// cluster the caller may not use, is 404 as one that does not exist; one that does not fit is
// 409. The attempt is audited (c.CommitIntent) before the change.
func Set(c *core.Call, st store.ResultStore, k Kind, cluster, name, what string) (store.Baseline, error) {
	var req setRequest
	if err := apihttp.DecodeJSON(c.R, &req, maxBody); err != nil {
		return store.Baseline{}, err
	}
	r, err := resultapi.Get(c, st, k.Kind, "result_id", req.ResultID)
	if err != nil {
		return store.Baseline{}, err
	}
	if err := k.Fits(r, cluster, name); err != nil {
		return store.Baseline{}, apihttp.Errorf(http.StatusConflict, "result_id: %v", err)
	}
	if err := c.CommitIntent(); err != nil {
		return store.Baseline{}, err
	}
	if _, err := st.SetBaseline(c.R.Context(), store.Baseline{Kind: k.Result, Cluster: cluster, Name: name, ResultID: r.ID, SetBy: c.P.User}); err != nil {
		return store.Baseline{}, apihttp.StoreError(what, err)
	}
	return Get(c, st, k, cluster, name, what)
}
