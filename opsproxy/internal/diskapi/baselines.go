package diskapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// maxBaselineBody bounds PUT /clusters/{cluster}/disk-baselines/{member}: one id.
const maxBaselineBody = 4 << 10

// maxMemberLen bounds a member's name in a path or query.
const maxMemberLen = 128

// Baseline is a member's baseline as answered: the disk test it points at, summarised.
type Baseline struct {
	Cluster string    `json:"cluster"`
	Member  string    `json:"member"`
	SetBy   string    `json:"set_by"`
	SetAt   time.Time `json:"set_at"`
	Run     Summary   `json:"run"`
}

// checkMember accepts etcd member names: letters, digits, '.', '_' and '-' (they go in URLs).
func checkMember(field, name string) error {
	if name == "" || len(name) > maxMemberLen {
		return apihttp.Errorf(http.StatusBadRequest, "%s: want a member name of 1 to %d characters", field, maxMemberLen)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return apihttp.Errorf(http.StatusBadRequest, "%s: want letters, digits, '.', '_' or '-'", field)
		}
	}
	return nil
}

// baselineMember checks the path's cluster and member for c.
func (s *api) baselineMember(c *core.Call) (cluster, member string, err error) {
	member = c.R.PathValue("member")
	c.Rec.Key = []byte(member)
	if cluster, err = s.pathCluster(c); err != nil {
		return "", "", err
	}
	return cluster, member, checkMember("member", member)
}

func baselineOf(b store.Baseline) (Baseline, error) {
	t, err := decodeTest(b.Result)
	return Baseline{Cluster: b.Cluster, Member: b.Name, SetBy: b.SetBy, SetAt: b.SetAt, Run: t.Summary}, err
}

// getBaseline answers GET /clusters/{cluster}/disk-baselines/{member}.
func (s *api) getBaseline(c *core.Call) (any, error) {
	cluster, member, err := s.baselineMember(c)
	if err != nil {
		return nil, err
	}
	b, err := s.Store.Baseline(c.R.Context(), store.KindDiskTest, cluster, member)
	if err != nil {
		return nil, apihttp.StoreError("baseline of member "+member, err)
	}
	return baselineOf(b)
}

// setBaselineRequest is the body of PUT /clusters/{cluster}/disk-baselines/{member}.
type setBaselineRequest struct {
	ResultID string `json:"result_id"`
}

// setBaseline answers PUT /clusters/{cluster}/disk-baselines/{member}: points the member's
// baseline at a disk test of that member, replacing what it pointed at. The attempt is
// audited before the change.
func (s *api) setBaseline(c *core.Call) (any, error) {
	cluster, member, err := s.baselineMember(c)
	if err != nil {
		return nil, err
	}
	var req setBaselineRequest
	if err := apihttp.DecodeJSON(c.R, &req, maxBaselineBody); err != nil {
		return nil, err
	}
	if req.ResultID == "" || len(req.ResultID) > maxQueryValue {
		return nil, apihttp.Errorf(http.StatusBadRequest, "result_id: want a disk test id")
	}
	r, err := s.Store.Result(c.R.Context(), req.ResultID)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && (r.Kind != store.KindDiskTest || !c.P.MayUseCluster(r.Cluster))):
		return nil, apihttp.Errorf(http.StatusNotFound, "result_id: no disk test %q", req.ResultID)
	case err != nil:
		return nil, apihttp.StoreError("disk test", err)
	case r.Cluster != cluster || r.Name != member:
		return nil, apihttp.Errorf(http.StatusConflict, "result_id: disk test %s probed member %q of cluster %q, not %q of %q",
			r.ID, r.Name, r.Cluster, member, cluster)
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	if _, err := s.Store.SetBaseline(c.R.Context(), store.Baseline{Kind: store.KindDiskTest, Cluster: cluster, Name: member,
		ResultID: r.ID, SetBy: c.P.User}); err != nil {
		return nil, apihttp.StoreError("baseline of member "+member, err)
	}
	b, err := s.Store.Baseline(c.R.Context(), store.KindDiskTest, cluster, member)
	if err != nil {
		return nil, apihttp.StoreError("baseline of member "+member, err)
	}
	return baselineOf(b)
}
