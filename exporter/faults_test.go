package exporter

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestScrapeReportsStoppedMemberDownAndOthersIntact(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := startExporter(t, "clusters:\n"+clusterYAML("main", c), Options{})
	scrapeMetrics(t, e, 5*time.Second) // connections up, leader recorded
	down := c.Members[0]
	down.Stop(t)

	mfs := scrapeMetrics(t, e, 5*time.Second)
	mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", down.ClientURL), 0)
	mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("endpoint", down.ClientURL), 0)
	for _, m := range c.Members[1:] {
		mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", m.ClientURL), 1)
		mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("endpoint", m.ClientURL), 1)
	}
	cl := lbl("cluster", "main")
	mustSample(t, mfs, "etcd_monitor_cluster_reachable", cl, 1)
	mustSample(t, mfs, "etcd_monitor_cluster_has_leader", cl, 1)
	mustSample(t, mfs, "etcd_monitor_cluster_members", cl, 3)
	mustSample(t, mfs, "etcd_monitor_cluster_healthy_voters", cl, 2)
	mustSample(t, mfs, "etcd_monitor_cluster_failure_tolerance", cl, 0)
	mustSample(t, mfs, "etcd_monitor_cluster_quorum_at_risk", cl, 1)
}

func TestScrapeReportsNoQuorumWhenTwoOfThreeStopped(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := startExporter(t, "clusters:\n"+clusterYAML("main", c), Options{})
	c.Members[0].Stop(t)
	c.Members[1].Stop(t)

	mfs := scrapeMetrics(t, e, 5*time.Second)
	cl := lbl("cluster", "main")
	mustSample(t, mfs, "etcd_monitor_cluster_has_leader", cl, 0)
	mustSample(t, mfs, "etcd_monitor_cluster_healthy_voters", cl, 0)
	mustSample(t, mfs, "etcd_monitor_cluster_quorum_at_risk", cl, 1)
	if v, ok := sample(mfs, "etcd_monitor_cluster_failure_tolerance", cl); !ok || v >= 0 {
		t.Errorf("failure tolerance = %g, %v; want negative (quorum lost)", v, ok)
	}
	// The survivor still answers Status and its serializable member list.
	mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", c.Members[2].ClientURL), 1)
	mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("endpoint", c.Members[2].ClientURL), 0)
	mustSample(t, mfs, "etcd_monitor_cluster_members", cl, 3)
}

func TestScrapeOfBlackholedMemberIsBoundedByDeadline(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := startExporter(t, "clusters:\n"+clusterYAML("main", c), Options{TimeoutOffset: 500 * time.Millisecond})
	hung := c.Members[1]
	hung.Blackhole(t)

	// get's HTTP client gives up 20s after the scrape timeout: a hang fails the test there.
	mfs := scrapeMetrics(t, e, 3*time.Second)
	mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", hung.ClientURL), 0)
	mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("endpoint", hung.ClientURL), 0)
	for _, m := range []*etcdtest.Member{c.Members[0], c.Members[2]} {
		mustSample(t, mfs, "etcd_monitor_member_up", lbl("endpoint", m.ClientURL), 1)
	}
	mustSample(t, mfs, "etcd_monitor_cluster_has_leader", lbl("cluster", "main"), 1)
}

func TestScrapeReportsActiveAlarmAndUnhealthyMembers(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	cli := c.Client(t, c.Members[0].ClientURL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := cli.Status(ctx, c.Members[0].ClientURL)
	if err != nil {
		t.Fatal(err)
	}
	// Raise a real NOSPACE alarm on member 0 through etcd's maintenance API.
	m0 := st.Header.MemberId
	if _, err := pb.NewMaintenanceClient(cli.ActiveConnection()).Alarm(ctx, &pb.AlarmRequest{
		Action: pb.AlarmRequest_ACTIVATE, MemberID: m0, Alarm: pb.AlarmType_NOSPACE,
	}); err != nil {
		t.Fatal(err)
	}
	e := startExporter(t, "clusters:\n"+clusterYAML("main", c), Options{})
	mfs := scrapeMetrics(t, e, 5*time.Second)
	id := fmt.Sprintf("%x", m0)
	mustSample(t, mfs, "etcd_monitor_member_alarm_active", lbl("member_id", id, "alarm", "NOSPACE"), 1)
	mustSample(t, mfs, "etcd_monitor_member_alarm_active", lbl("member_id", id, "alarm", "CORRUPT"), 0)
	// etcdctl endpoint health calls every member unhealthy while any alarm is active.
	for _, ep := range c.Endpoints() {
		mustSample(t, mfs, "etcd_monitor_member_healthy", lbl("endpoint", ep), 0)
	}
	mustSample(t, mfs, "etcd_monitor_cluster_healthy_voters", lbl("cluster", "main"), 0)

	if _, err := cli.AlarmDisarm(ctx, &clientv3.AlarmMember{MemberID: m0, Alarm: pb.AlarmType_NOSPACE}); err != nil {
		t.Fatal(err)
	}
	mfs = scrapeMetrics(t, e, 5*time.Second)
	mustSample(t, mfs, "etcd_monitor_member_alarm_active", lbl("member_id", id, "alarm", "NOSPACE"), 0)
	mustSample(t, mfs, "etcd_monitor_cluster_healthy_voters", lbl("cluster", "main"), 3)
}

func TestProbeAnswersOneClusterAndRejectsUnknownTarget(t *testing.T) {
	a := etcdtest.New(t, etcdtest.Config{Size: 1})
	e := startExporter(t, "clusters:\n"+clusterYAML("a", a)+
		"  - name: nowhere\n    endpoints: [http://127.0.0.1:1]\n    request_timeout: 500ms\n", Options{})

	code, body := get(t, e.URL+"/probe?target=a", 5*time.Second)
	if code != http.StatusOK {
		t.Fatalf("/probe?target=a: HTTP %d: %s", code, body)
	}
	mfs := families(t, body)
	mustSample(t, mfs, "probe_success", nil, 1)
	if _, ok := mfs["probe_duration_seconds"]; !ok {
		t.Error("probe_duration_seconds missing")
	}
	if _, ok := sample(mfs, "etcd_monitor_member_up", lbl("cluster", "nowhere")); ok {
		t.Error("/probe?target=a reported another cluster")
	}
	if _, ok := mfs["go_goroutines"]; ok {
		t.Error("/probe carries the exporter's own runtime metrics")
	}

	code, body = get(t, e.URL+"/probe?target=nowhere", 3*time.Second)
	if code != http.StatusOK {
		t.Fatalf("/probe?target=nowhere: HTTP %d", code)
	}
	mustSample(t, families(t, body), "probe_success", nil, 0)

	long := strings.Repeat("x", 300)
	for _, tc := range []struct{ query, want string }{
		{"target=nope", `unknown target \"nope\": not a configured cluster`},
		{"", "target parameter is missing"},
		{"target=" + long, `target \"` + strings.Repeat("x", 128) + `…\": longer than 256 bytes`},
		{"target=" + long[:200], `unknown target \"` + strings.Repeat("x", 128) + `…\"`},
	} {
		code, body := get(t, e.URL+"/probe?"+tc.query, 0)
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) || !strings.HasPrefix(body, "{") {
			t.Errorf("/probe?%s: HTTP %d %q; want 400 with JSON %q", tc.query, code, body, tc.want)
		}
	}
	code, body = get(t, e.URL+"/probe?target=nowhere&debug=true", 3*time.Second)
	if code != http.StatusOK || !strings.Contains(body, "Collector errors:") || !strings.Contains(body, "probe_success 0") {
		t.Errorf("debug output: HTTP %d\n%s", code, body)
	}
}
