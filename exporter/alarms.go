package exporter

import (
	"fmt"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"

	"github.com/prometheus/client_golang/prometheus"
)

func init() { registerProbe("alarms", true, alarmsProbe{}) }

// alarmsProbe reports the active alarms of every member. Alarms are cluster state replicated by
// raft, so one member's list covers all; every known member gets an explicit 0 for the alarms it
// does not have, so that alert expressions can compare with 1.
type alarmsProbe struct{}

var memberAlarmDesc = prometheus.NewDesc(namespace+"_member_alarm_active",
	"1 when the alarm (NOSPACE, CORRUPT) is active on the member.", []string{"cluster", "member_id", "alarm"}, nil)

// reportedAlarms are the alarm types given an explicit value for every member.
var reportedAlarms = []pb.AlarmType{pb.AlarmType_NOSPACE, pb.AlarmType_CORRUPT}

func (alarmsProbe) describe(ch chan<- *prometheus.Desc) { ch <- memberAlarmDesc }

func (alarmsProbe) collect(s *scrape, ch chan<- prometheus.Metric) error {
	cluster := s.t.cfg.Name
	list := s.alarms()
	if list.err != nil {
		return list.err
	}
	active := map[uint64]map[pb.AlarmType]bool{}
	for _, id := range s.knownMemberIDs() {
		active[id] = map[pb.AlarmType]bool{}
	}
	for _, a := range list.resp.Alarms {
		if active[a.MemberID] == nil {
			active[a.MemberID] = map[pb.AlarmType]bool{}
		}
		active[a.MemberID][a.Alarm] = true
	}
	for id, alarms := range active {
		for _, kind := range reportedAlarms {
			ch <- gauge(memberAlarmDesc, boolFloat(alarms[kind]), cluster, fmt.Sprintf("%x", id), kind.String())
		}
	}
	return nil
}

// knownMemberIDs are the members of the member list, or, without it, those that answered Status.
func (s *scrape) knownMemberIDs() []uint64 {
	var ids []uint64
	if list, err := s.memberList(); err == nil {
		for _, m := range list.Members {
			ids = append(ids, m.ID)
		}
		return ids
	}
	for _, st := range s.statuses() {
		if st.up() {
			ids = append(ids, st.memberID())
		}
	}
	return ids
}
