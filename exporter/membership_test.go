package exporter

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

// A leader change between scrapes is counted, and a learner (added, not yet started) shows in the
// membership counts without changing the quorum.
func TestLeaderChangesAreCountedAndLearnersCounted(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := startExporter(t, "clusters:\n"+clusterYAML("main", c), Options{})
	cl := lbl("cluster", "main")
	mfs := scrapeMetrics(t, e, 5*time.Second)
	mustSample(t, mfs, "etcd_monitor_cluster_leader_changes_seen_total", cl, 0)

	leader := c.Leader(t)
	next := (leader + 1) % 3
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	leaderCli := c.Client(t, c.Members[leader].ClientURL)
	st, err := c.Client(t, c.Members[next].ClientURL).Status(ctx, c.Members[next].ClientURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaderCli.MoveLeader(ctx, st.Header.MemberId); err != nil {
		t.Fatalf("move leader: %v", err)
	}
	if got := c.Leader(t); got != next {
		t.Fatalf("leader is member %d after the move, want %d", got, next)
	}
	mfs = scrapeMetrics(t, e, 5*time.Second)
	mustSample(t, mfs, "etcd_monitor_cluster_leader_changes_seen_total", cl, 1)
	mustSample(t, mfs, "etcd_monitor_member_is_leader", lbl("endpoint", c.Members[next].ClientURL), 1)

	// etcd refuses membership changes until every member has been connected to the new leader for
	// a few seconds (strict reconfiguration check), so try until it accepts.
	addCtx, addCancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer addCancel()
	for {
		_, err := c.Client(t).MemberAddAsLearner(addCtx, []string{"http://127.0.0.1:1"})
		if err == nil {
			break
		}
		if !errors.Is(err, rpctypes.ErrUnhealthy) || addCtx.Err() != nil {
			t.Fatalf("add learner: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	mfs = scrapeMetrics(t, e, 5*time.Second)
	mustSample(t, mfs, "etcd_monitor_cluster_members", cl, 4)
	mustSample(t, mfs, "etcd_monitor_cluster_learners", cl, 1)
	mustSample(t, mfs, "etcd_monitor_cluster_voting_members", cl, 3)
	mustSample(t, mfs, "etcd_monitor_cluster_quorum_size", cl, 2)
	mustSample(t, mfs, "etcd_monitor_cluster_healthy_voters", cl, 3)
}
