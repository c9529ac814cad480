package etcdconn

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/common/config"
	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func TestCheckHealthIsEtcdctlEndpointHealth(t *testing.T) {
	ec := etcdtest.New(t, etcdtest.Config{Size: 1, Auth: true})
	ep := ec.Endpoints()[0]
	root := ec.Client(t)
	if _, err := root.UserAdd(minute(t), "reader", "reader-pw"); err != nil {
		t.Fatal(err)
	}
	member := func(user, pw string) *Member {
		t.Helper()
		cfg := entry(ep)
		cfg.Username, cfg.Password = user, config.Secret(pw)
		m, err := newCluster(t, cfg).Member(minute(t), ep)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	asRoot := member("root", ec.RootPassword)

	h := CheckHealth(minute(t), asRoot, nil)
	if !h.Healthy || h.Err != nil || h.Took <= 0 {
		t.Errorf("root: %+v, want healthy", h)
	}
	// A user without permission on "health" gets permission denied: the read went through raft.
	if h := CheckHealth(minute(t), member("reader", "reader-pw"), asRoot.Maintenance.AlarmList); !h.Healthy {
		t.Errorf("user without read permission: %+v, want healthy", h)
	}

	st, err := asRoot.Maintenance.Status(minute(t), ep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pb.NewMaintenanceClient(asRoot.Client.ActiveConnection()).Alarm(minute(t), &pb.AlarmRequest{
		Action: pb.AlarmRequest_ACTIVATE, MemberID: st.Header.MemberId, Alarm: pb.AlarmType_NOSPACE}); err != nil {
		t.Fatal(err)
	}
	h = CheckHealth(minute(t), asRoot, nil)
	if h.Healthy || len(h.Alarms) != 1 || h.Alarms[0] != "NOSPACE" || !strings.Contains(h.Err.Error(), "NOSPACE") {
		t.Errorf("with a NOSPACE alarm: %+v, want unhealthy naming NOSPACE", h)
	}
	failing := func(context.Context) (*clientv3.AlarmResponse, error) { return nil, context.DeadlineExceeded }
	if h := CheckHealth(minute(t), asRoot, failing); h.Healthy || !strings.Contains(h.Err.Error(), "unable to fetch the alarm list") {
		t.Errorf("alarm list unavailable: %+v, want unhealthy", h)
	}
}
