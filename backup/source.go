package backup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdconn"
)

// source is a member a snapshot may be streamed from.
type source struct {
	name     string
	endpoint string
	leader   bool
}

// sources returns the healthy voting members, followers first (a snapshot reads the whole
// database; the leader has enough to do), each by name.
func (e *Engine) sources(ctx context.Context) ([]source, error) {
	conn := e.cfg.Conn
	if conn == nil {
		return nil, errors.New("no connection to the cluster is configured")
	}
	cli, err := conn.Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", e.cfg.Cluster, err)
	}
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	list, err := cli.MemberList(lctx)
	if err != nil {
		return nil, fmt.Errorf("cluster %s: member list: %w", e.cfg.Cluster, err)
	}
	var alarms etcdconn.AlarmSource = func(ctx context.Context) (*clientv3.AlarmResponse, error) { return cli.AlarmList(ctx) }
	var out []source
	var unhealthy []error
	for _, m := range list.Members {
		if m.IsLearner || len(m.ClientURLs) == 0 {
			continue
		}
		name := m.Name
		if name == "" {
			name = fmt.Sprintf("%x", m.ID)
		}
		ep := m.ClientURLs[0]
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		mc, err := conn.Member(hctx, ep)
		if err == nil {
			if h := etcdconn.CheckHealth(hctx, mc, alarms); h.Err != nil {
				err = h.Err
			}
		}
		var st *clientv3.StatusResponse
		if err == nil {
			st, err = mc.Maintenance.Status(hctx, ep)
		}
		cancel()
		if err != nil {
			unhealthy = append(unhealthy, fmt.Errorf("member %s: %w", name, err))
			continue
		}
		out = append(out, source{name: name, endpoint: ep, leader: st.Leader == st.Header.MemberId})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("cluster %s: no healthy member to take a snapshot from: %w", e.cfg.Cluster, errors.Join(unhealthy...))
	}
	slices.SortFunc(out, func(a, b source) int {
		if a.leader != b.leader {
			if a.leader {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.name, b.name)
	})
	return out, nil
}

// restoreTarget asks a member what a restore of a snapshot at rev must show: HashKV at rev and
// the number of live keys at rev.
func restoreTarget(ctx context.Context, m *etcdconn.Member, rev int64) (RestoreTarget, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	hk, err := m.Maintenance.HashKV(ctx, m.Endpoint, rev)
	if err != nil {
		return RestoreTarget{}, fmt.Errorf("hashkv at revision %d: %w", rev, err)
	}
	n, err := countAt(ctx, m.Client, rev)
	if err != nil {
		return RestoreTarget{}, err
	}
	return RestoreTarget{Revision: rev, HashKV: hk.Hash, CompactRevision: hk.CompactRevision, KeyCount: n}, nil
}

// countAt is the number of live keys at rev.
func countAt(ctx context.Context, kv clientv3.KV, rev int64) (int64, error) {
	resp, err := kv.Get(ctx, "\x00", clientv3.WithFromKey(), clientv3.WithRev(rev), clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("key count at revision %d: %w", rev, err)
	}
	return resp.Count, nil
}
