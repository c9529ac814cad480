package jobkinds

import (
	"context"
	"fmt"
	"time"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/defrag"
)

// healthPoll is how often a wait for a healthy cluster checks again.
const healthPoll = 200 * time.Millisecond

// clusterHealthy checks every member, as the synchronous defragmentation does before each
// member: defragmenting one member while another is unhealthy may cost the cluster its quorum.
// With wait > 0 it checks again until every member is healthy or wait is over (a member that
// the previous worker was defragmenting answers no health check until it is done). The error
// names the first unhealthy member.
func (d Deps) clusterHealthy(ctx context.Context, conn *conns.Conn, wait time.Duration) ([]conns.EndpointState, error) {
	deadline := d.Now().Add(wait)
	for {
		hctx, cancel := context.WithTimeout(ctx, d.HealthTimeout)
		states, err := conn.MemberStates(hctx)
		cancel()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var bad error
		if err != nil {
			bad = fmt.Errorf("cluster %s is unhealthy: no member answered the member list within %s: %w", conn.Config().Name, d.HealthTimeout, err)
		}
		for _, st := range states {
			if bad == nil && !st.Healthy {
				bad = fmt.Errorf("member %s (%s) is unhealthy: %s", st.Member, st.Endpoint, st.Error)
			}
		}
		if bad == nil {
			return states, nil
		}
		if !d.Now().Before(deadline) {
			return states, bad
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(healthPoll):
		}
	}
}

// memberHealthy checks one member after its defragmentation.
func (d Deps) memberHealthy(ctx context.Context, conn *conns.Conn, step memberStep) (conns.EndpointState, error) {
	hctx, cancel := context.WithTimeout(ctx, d.HealthTimeout)
	defer cancel()
	st := conns.EndpointState{Member: step.Name, ID: step.ID, Endpoint: step.Endpoint}
	conn.CheckEndpoint(hctx, &st)
	if !st.Healthy {
		return st, fmt.Errorf("member %s failed its health check after defragmentation: %s", step.Name, st.Error)
	}
	return st, nil
}

// sizesOf asks a member for the figures a rule reads: its status, quota included (which
// opsproxy's endpoint status does not carry).
func (d Deps) sizesOf(ctx context.Context, conn *conns.Conn, endpoint string) (defrag.Sizes, error) {
	sctx, cancel := context.WithTimeout(ctx, d.HealthTimeout)
	defer cancel()
	m, err := conn.Member(sctx, endpoint)
	if err != nil {
		return defrag.Sizes{}, err
	}
	var s defrag.Sizes
	err = m.Do(sctx, func(ctx context.Context) error {
		st, err := m.Maintenance.Status(ctx, endpoint)
		if err == nil {
			s = defrag.Sizes{DBSize: st.DbSize, DBSizeInUse: st.DbSizeInUse, DBQuota: st.DbSizeQuota}
		}
		return err
	})
	if err != nil {
		return defrag.Sizes{}, fmt.Errorf("status of %s: %w", endpoint, err)
	}
	return s, nil
}
