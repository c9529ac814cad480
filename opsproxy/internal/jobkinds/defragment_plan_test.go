package jobkinds

import (
	"encoding/json"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
)

// A take-over's plan keeps what the previous attempt did: a done member stays done under its
// fence, a running one is pending again, marked as interrupted.
func TestPlanOfATakeOverKeepsDoneMembersAndMarksTheInterruptedOne(t *testing.T) {
	members := []conns.EndpointState{
		{Member: "m0", ID: "a0", Endpoint: "http://m0", Status: &conns.EndpointStatus{IsLeader: true, DBSize: 300}},
		{Member: "m2", ID: "a2", Endpoint: "http://m2", Status: &conns.EndpointStatus{DBSize: 200}},
		{Member: "m1", ID: "a1", Endpoint: "http://m1", Status: &conns.EndpointStatus{DBSize: 100}},
	}
	prev, _ := json.Marshal(defragProgress{Fence: 3, Members: []memberStep{
		{ID: "a1", Name: "m1", State: stateDone, DBSizeBefore: 900, DBSizeAfter: 100, Fence: 3},
		{ID: "a2", Name: "m2", State: stateRunning, DBSizeBefore: 800, Fence: 3},
		{ID: "a0", Name: "m0", State: statePending},
	}})
	plan, err := planSteps(members, nil, previousSteps(prev))
	if err != nil {
		t.Fatal(err)
	}
	p := &defragProgress{Members: plan}
	if states(*p) != "m1=done m2=pending m0=pending" || !p.interrupted() {
		t.Fatalf("plan %s (interrupted %v)", states(*p), p.interrupted())
	}
	if plan[0].Fence != 3 || plan[0].DBSizeAfter != 100 || plan[1].Reason != reasonInterrupted || plan[1].DBSizeBefore != 800 || !plan[2].Leader {
		t.Fatalf("plan %+v", plan)
	}
	if _, err := planSteps(members, []string{"a2", "bb"}, nil); err == nil || err.Error() != "members[1]: no member bb in the cluster" {
		t.Fatalf("unknown member: %v", err)
	}
}
