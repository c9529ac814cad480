package exporter

import (
	"context"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestScrapeReportsHealthyThreeMemberCluster(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	cli := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, k := range []string{"/registry/pods/a", "/registry/pods/b", "/registry/svc/c", "/other"} {
		if _, err := cli.Put(ctx, k, "v"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cli.Grant(ctx, 60); err != nil {
		t.Fatal(err)
	}
	e := startExporter(t, "clusters:\n"+clusterYAML("main", c)+
		"probes:\n  key_prefixes: [/registry/pods/, /registry/]\n", Options{})
	mfs := scrapeMetrics(t, e, 10*time.Second)

	mustSample(t, mfs, "etcd_monitor_cluster_reachable", lbl("cluster", "main"), 1)
	for _, ep := range c.Endpoints() {
		m := lbl("cluster", "main", "endpoint", ep)
		mustSample(t, mfs, "etcd_monitor_member_up", m, 1)
		mustSample(t, mfs, "etcd_monitor_member_healthy", m, 1)
		mustSample(t, mfs, "etcd_monitor_member_is_learner", m, 0)
		mustSample(t, mfs, "etcd_monitor_member_consistent", m, 1)
		if v, ok := sample(mfs, "etcd_monitor_member_db_quota_bytes", m); !ok || v <= 0 {
			t.Errorf("db quota of %s = %g, %v; want the server's default quota", ep, v, ok)
		}
	}
	leaders := 0.0
	for _, ep := range c.Endpoints() {
		v, _ := sample(mfs, "etcd_monitor_member_is_leader", lbl("endpoint", ep))
		leaders += v
	}
	if leaders != 1 {
		t.Errorf("%g members report themselves leader, want 1", leaders)
	}
	cl := lbl("cluster", "main")
	mustSample(t, mfs, "etcd_monitor_cluster_has_leader", cl, 1)
	mustSample(t, mfs, "etcd_monitor_cluster_leader_disagreement_members", cl, 0)
	mustSample(t, mfs, "etcd_monitor_cluster_members", cl, 3)
	mustSample(t, mfs, "etcd_monitor_cluster_voting_members", cl, 3)
	mustSample(t, mfs, "etcd_monitor_cluster_learners", cl, 0)
	mustSample(t, mfs, "etcd_monitor_cluster_quorum_size", cl, 2)
	mustSample(t, mfs, "etcd_monitor_cluster_healthy_voters", cl, 3)
	mustSample(t, mfs, "etcd_monitor_cluster_failure_tolerance", cl, 1)
	mustSample(t, mfs, "etcd_monitor_cluster_quorum_at_risk", cl, 0)
	mustSample(t, mfs, "etcd_monitor_cluster_consistent", cl, 1)
	mustSample(t, mfs, "etcd_monitor_keys", lbl("cluster", "main", "prefix", "/registry/pods/"), 2)
	mustSample(t, mfs, "etcd_monitor_keys", lbl("cluster", "main", "prefix", "/registry/"), 3)
	mustSample(t, mfs, "etcd_monitor_leases", cl, 1)
	for _, col := range []string{"status", "health", "cluster", "spread", "alarms", "hashkv", "keys"} {
		mustSample(t, mfs, "etcd_monitor_scrape_collector_success", lbl("cluster", "main", "collector", col), 1)
	}
	// Neither TLS nor the canary is configured: those collectors stay silent.
	for _, col := range []string{"certs", "canary"} {
		if _, ok := sample(mfs, "etcd_monitor_scrape_collector_success", lbl("collector", col)); ok {
			t.Errorf("collector %s reported although it has nothing to do", col)
		}
	}
	// Every member gets an explicit 0 for each alarm kind.
	if n := len(mfs["etcd_monitor_member_alarm_active"].GetMetric()); n != 6 {
		t.Errorf("%d alarm series, want 3 members × NOSPACE, CORRUPT", n)
	}
	for _, m := range mfs["etcd_monitor_member_alarm_active"].GetMetric() {
		if m.GetGauge().GetValue() != 0 {
			t.Errorf("alarm active on a healthy cluster: %v", m.GetLabel())
		}
	}
	mustSample(t, mfs, "etcd_monitor_config_last_reload_successful", nil, 1)
	if _, ok := mfs["etcd_monitor_build_info"]; !ok {
		t.Error("etcd_monitor_build_info missing")
	}
}

// Members are probed with a constant number of requests per scrape: Status and the health read on
// each member, and the cluster-wide requests (alarm list, member list, lease list, one count per
// prefix) on whichever member answers Status first. So the total stays the same, and no member
// gets more than those cluster-wide requests beyond the others.
func TestScrapeSendsConstantRequestsPerMember(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := startExporter(t, "clusters:\n"+clusterYAML("main", c)+"probes:\n  hashkv_interval: 0s\n  key_prefixes: [/a]\n", Options{})
	counts := func() map[string]uint64 { return e.snapshot()[0].conn.RequestCounts() }
	scrapeMetrics(t, e, 10*time.Second)
	var totals []uint64
	for range 4 {
		before := counts()
		scrapeMetrics(t, e, 10*time.Second)
		after := counts()
		var total, lo, hi uint64
		lo = ^uint64(0)
		for _, ep := range c.Endpoints() {
			d := after[ep] - before[ep]
			total += d
			lo, hi = min(lo, d), max(hi, d)
		}
		if lo != 2 || hi-lo > 4 {
			t.Errorf("requests per member in one scrape range from %d to %d", lo, hi)
		}
		totals = append(totals, total)
	}
	for _, n := range totals[1:] {
		if n != totals[0] {
			t.Errorf("requests per scrape vary: %v", totals)
			break
		}
	}
}

func TestNewTakesANilLogger(t *testing.T) {
	e, err := New(&Config{}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.logger.Info("discarded")
}
