package diskapi

import (
	"fmt"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/baselines"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Baseline is a member's baseline as answered: the disk test it points at, summarised.
type Baseline struct {
	Cluster string    `json:"cluster"`
	Member  string    `json:"member"`
	SetBy   string    `json:"set_by"`
	SetAt   time.Time `json:"set_at"`
	Run     Summary   `json:"run"`
}

// checkMember accepts etcd member names: letters, digits, '.', '_' and '-' (they go in URLs).
func checkMember(field, name string) error { return baselines.CheckName(field, name) }

// diskBaselines are the disk tests' baselines: one per member, named for it, pointing at a
// test of that member.
var diskBaselines = baselines.Kind{
	Kind: diskTests,
	Fits: func(r store.Result, cluster, member string) error {
		if r.Cluster != cluster || r.Name != member {
			return fmt.Errorf("disk test %s probed member %q of cluster %q, not %q of %q", r.ID, r.Name, r.Cluster, member, cluster)
		}
		return nil
	},
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
	b, err := baselines.Get(c, s.Store, diskBaselines, cluster, member, "baseline of member "+member)
	if err != nil {
		return nil, err
	}
	return baselineOf(b)
}

// setBaseline answers PUT /clusters/{cluster}/disk-baselines/{member}: points the member's
// baseline at a disk test of that member, replacing what it pointed at. The attempt is
// audited before the change.
func (s *api) setBaseline(c *core.Call) (any, error) {
	cluster, member, err := s.baselineMember(c)
	if err != nil {
		return nil, err
	}
	b, err := baselines.Set(c, s.Store, diskBaselines, cluster, member, "baseline of member "+member)
	if err != nil {
		return nil, err
	}
	return baselineOf(b)
}
