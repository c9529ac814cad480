package opsproxy

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

type membersAnswer struct {
	Member  member
	Members []member
}

func freeLoopbackURL(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("http://127.0.0.1:%d", etcdtest.FreePort(t))
}

// startLearner starts a real etcd member that joins the cluster as the learner just added.
func startLearner(t *testing.T, name, peerURL string, initial []string) *embed.Etcd {
	t.Helper()
	cfg := embed.NewConfig()
	cfg.Name = name
	cfg.Dir = t.TempDir()
	pu, _ := url.Parse(peerURL)
	cu, _ := url.Parse(freeLoopbackURL(t))
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.InitialCluster = strings.Join(append(initial, name+"="+peerURL), ",")
	cfg.ClusterState = embed.ClusterStateFlagExisting
	cfg.TickMs, cfg.ElectionMs = 50, 500
	cfg.UnsafeNoFsync = true
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatalf("start learner: %v", err)
	}
	t.Cleanup(e.Close)
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(30 * time.Second):
		t.Fatal("learner did not become ready")
	}
	return e
}

func TestMembersAreListedAddedAsLearnerPromotedAndRemoved(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	r := e.call(t, "GET", "/api/v1/clusters/c1/members", e.admin, nil)
	var list membersAnswer
	r.json(t, &list)
	if r.status != 200 || len(list.Members) != 3 {
		t.Fatalf("members: %d %s", r.status, r.body)
	}
	var initial []string
	for _, m := range c.Members {
		initial = append(initial, m.Name+"="+m.PeerURL)
	}

	peer := freeLoopbackURL(t)
	// etcd refuses reconfiguration (503, unhealthy cluster) until every member has been
	// connected for a few seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		r = e.call(t, "POST", "/api/v1/clusters/c1/members", e.admin, map[string]any{"peer_urls": []string{peer}})
		if r.status != 503 || ctx.Err() != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var added membersAnswer
	r.json(t, &added)
	if r.status != 201 || !added.Member.IsLearner || len(added.Members) != 4 {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	if r := e.call(t, "POST", "/api/v1/clusters/c1/members", e.admin, map[string]any{"peer_urls": []string{peer}}); r.status != 409 {
		t.Fatalf("adding the same peer URL again: %d %s, want 409", r.status, r.body)
	}
	if r := e.call(t, "POST", "/api/v1/clusters/c1/members/"+added.Member.ID+"/promote", e.admin, nil); r.status != 409 {
		t.Fatalf("promoting a learner that has not started: %d %s, want 409", r.status, r.body)
	}

	startLearner(t, "m3", peer, initial)
	// The learner must catch up before it can be promoted; etcd says when it has.
	for {
		r = e.call(t, "POST", "/api/v1/clusters/c1/members/"+added.Member.ID+"/promote", e.admin, nil)
		if r.status == 200 {
			break
		}
		if r.status != 409 || ctx.Err() != nil {
			t.Fatalf("promote: %d %s", r.status, r.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var promoted membersAnswer
	r.json(t, &promoted)
	for _, m := range promoted.Members {
		if m.ID == added.Member.ID && m.IsLearner {
			t.Fatalf("still a learner after promotion: %s", r.body)
		}
	}

	r = e.call(t, "DELETE", "/api/v1/clusters/c1/members/"+added.Member.ID, e.admin, nil)
	var removed membersAnswer
	r.json(t, &removed)
	if r.status != 200 || len(removed.Members) != 3 {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	cases := []struct {
		name, path string
		status     int
	}{
		{"remove an unknown member", "/api/v1/clusters/c1/members/abcdef", 404},
		{"remove with a malformed id", "/api/v1/clusters/c1/members/xyz", 400},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			if r := e.call(t, "DELETE", cs.path, e.admin, nil); r.status != cs.status {
				t.Fatalf("status %d, want %d: %s", r.status, cs.status, r.body)
			}
		})
	}
}

func TestEndpointHealthReportsEveryMemberAndTheStoppedOne(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	var out struct {
		Endpoints []endpointState
		Healthy   int
		Total     int
	}
	r := e.call(t, "GET", "/api/v1/clusters/c1/endpoints", e.admin, nil)
	r.json(t, &out)
	if r.status != 200 || out.Healthy != 3 || out.Total != 3 {
		t.Fatalf("all running: %d %s", r.status, r.body)
	}
	leaders := 0
	for _, ep := range out.Endpoints {
		if ep.Status == nil || ep.Status.DBSize == 0 || ep.Status.Version == "" {
			t.Fatalf("status missing for %s: %s", ep.Member, r.body)
		}
		if ep.Status.IsLeader {
			leaders++
		}
	}
	if leaders != 1 {
		t.Fatalf("%d leaders reported", leaders)
	}
	c.Members[2].Stop(t)
	r = e.call(t, "GET", "/api/v1/clusters/c1/endpoints", e.admin, nil)
	r.json(t, &out)
	if r.status != 200 || out.Healthy != 2 {
		t.Fatalf("one stopped: %d %s", r.status, r.body)
	}
	for _, ep := range out.Endpoints {
		if ep.Member == c.Members[2].Name && (ep.Healthy || ep.Error == "") {
			t.Fatalf("stopped member reported healthy: %+v", ep)
		}
	}
}

func TestNoSpaceAlarmIsListedAndDisarmed(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 1, QuotaBackendBytes: 1 << 20})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	cli := c.Client(t)
	// Which put trips the quota depends on when etcd's backend commits, so fill until etcd itself
	// reports NOSPACE; the deadline only bounds a cluster that never does.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	noSpace := func() bool {
		resp, err := cli.AlarmList(ctx)
		if err != nil {
			t.Fatalf("etcd raised no NOSPACE alarm while filling the quota: %v", err)
		}
		for _, a := range resp.Alarms {
			if a.Alarm.String() == "NOSPACE" {
				return true
			}
		}
		return false
	}
	value := strings.Repeat("x", 64<<10)
	for i := 0; !noSpace(); i++ {
		r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": fmt.Sprintf("/fill/%d", i), "value": value})
		if r.status != 200 && r.status != 507 {
			t.Fatalf("filling the quota: %d %s", r.status, r.body)
		}
	}
	r := e.call(t, "PUT", "/api/v1/clusters/c1/keys", e.admin, map[string]any{"key": "/fill/more", "value": value})
	if r.status != 507 {
		t.Fatalf("put with NOSPACE raised: %d %s, want 507", r.status, r.body)
	}
	var alarms struct{ Alarms []alarm }
	r = e.call(t, "GET", "/api/v1/clusters/c1/alarms", e.admin, nil)
	r.json(t, &alarms)
	if len(alarms.Alarms) != 1 || alarms.Alarms[0].Alarm != "NOSPACE" {
		t.Fatalf("alarms: %s", r.body)
	}
	viewer := e.token(t, TokenSpec{Name: "v", Role: "viewer"})
	if r := e.call(t, "DELETE", "/api/v1/clusters/c1/alarms", viewer, nil); r.status != 403 {
		t.Fatalf("viewer disarm: %d", r.status)
	}
	var disarmed struct{ Disarmed []alarm }
	r = e.call(t, "DELETE", "/api/v1/clusters/c1/alarms?alarm=NOSPACE", e.admin, nil)
	r.json(t, &disarmed)
	if r.status != 200 || len(disarmed.Disarmed) != 1 {
		t.Fatalf("disarm: %d %s", r.status, r.body)
	}
	r = e.call(t, "GET", "/api/v1/clusters/c1/alarms", e.admin, nil)
	r.json(t, &alarms)
	if len(alarms.Alarms) != 0 {
		t.Fatalf("alarms after disarm: %s", r.body)
	}
}

// Without quorum the endpoints are still answered member by member (200), each with its own
// state: the member still running answers its status but no linearizable read, the stopped
// ones their error. This is when per-member health is needed most.
func TestEndpointHealthAnswersPerMemberWithoutQuorum(t *testing.T) {
	c := etcdtest.New(t, etcdtest.Config{Size: 3})
	e := newEnv(t, envOptions{cluster: c.Cluster})
	c.Members[1].Stop(t)
	c.Members[2].Stop(t)
	var out struct {
		Endpoints []endpointState
		Healthy   int
		Total     int
	}
	r := e.call(t, "GET", "/api/v1/clusters/c1/endpoints", e.admin, nil)
	r.json(t, &out)
	if r.status != 200 || out.Total != 3 || out.Healthy != 0 {
		t.Fatalf("without quorum: %d %s", r.status, r.body)
	}
	for _, ep := range out.Endpoints {
		if ep.Healthy || ep.Error == "" {
			t.Fatalf("member without quorum reported healthy or without its error: %+v", ep)
		}
		if ep.Member == c.Members[0].Name && ep.Status == nil {
			t.Fatalf("the running member's status is missing: %s", r.body)
		}
	}
}
