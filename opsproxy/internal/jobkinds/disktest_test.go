package jobkinds

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskagent/agenttest"
)

// smallProbe is a size-based probe of 100 syncs: the kind's behaviour, not the disk, is under test.
const smallProbe = `"profile":"agent","block_size":2300,"size":230000`

// diskDeps are the Deps of disk tests on cluster "prod" with the given agents.
func diskDeps(st store.ResultStore, agents ...clusterconfig.DiskAgent) Deps {
	return Deps{Results: st, DiskAgents: func(cluster string) []clusterconfig.DiskAgent {
		if cluster == "prod" {
			return agents
		}
		return nil
	}}
}

func decodeDiskResult(t testing.TB, raw json.RawMessage) disktestResult {
	t.Helper()
	var r disktestResult
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("disk test result %s: %v", raw, err)
	}
	return r
}

// closedURL is the URL of a loopback port nothing listens on.
func closedURL(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// A disk test of every member asks each member's real agent (one over TLS with basic auth) for
// a probe, one after another, and stores one result per member with the request and the
// agent's URL, never the password.
func TestDisktestJobProbesEachMembersAgentAndStoresTheResults(t *testing.T) {
	const password = "pr0be-s3cret-pw"
	a0 := agenttest.Start(t, agenttest.Options{Member: "infra0"})
	a1 := agenttest.Start(t, agenttest.Options{Member: "infra1", TLS: true, Username: "probe", Password: password})
	forEachQueue(t, func(t *testing.T, newQueue func(*testing.T, jobs.Options) jobs.Queue) {
		st, q := openStore(t), newQueue(t, jobs.Options{})
		startRunner(t, q, st, runnerOpts(), diskDeps(st, a0.Entry, a1.Entry))
		j := submit(t, st, q, KindDiskTest, `{`+smallProbe+`,"threshold":5}`)
		got := waitFinal(t, st, j.ID)
		if got.Status != store.JobSucceeded {
			t.Fatalf("job: %s %s", got.Status, got.Error)
		}
		out := decodeDiskResult(t, got.Result)
		if len(out.Results) != 2 || out.Members[0].Member != "infra0" || out.Members[1].Member != "infra1" || out.Verdict != store.VerdictPass {
			t.Fatalf("result %s", got.Result)
		}
		var prog disktestProgress
		if err := json.Unmarshal(got.Progress, &prog); err != nil || prog.Done != 2 || prog.Total != 2 || prog.Member != "infra1" {
			t.Fatalf("progress %s", got.Progress)
		}
		for i, a := range []*agenttest.Agent{a0, a1} {
			res, err := st.Result(context.Background(), out.Results[i])
			if err != nil {
				t.Fatal(err)
			}
			var fig diskprobe.Result
			var params DiskTestParameters
			if err := json.Unmarshal(res.Figures, &fig); err != nil || json.Unmarshal(res.Parameters, &params) != nil {
				t.Fatalf("stored %s / %s", res.Figures, res.Parameters)
			}
			if res.Kind != store.KindDiskTest || res.Cluster != "prod" || res.Name != a.Entry.Member || res.Verdict != store.VerdictPass ||
				fig.Syncs != 100 || fig.Sync.Percentiles["99"] <= 0 || fig.Threshold != 5 || fig.Job.BlockSize != 2300 {
				t.Fatalf("stored result of %s: %+v with %s", a.Entry.Member, res, res.Figures)
			}
			if params.Job != j.ID || params.Member != a.Entry.Member || params.URL != a.URL || params.Size != 230000 {
				t.Fatalf("stored parameters %s", res.Parameters)
			}
			if len(a.Entries(t)) != 0 {
				t.Fatalf("agent of %s left %v", a.Entry.Member, a.Entries(t))
			}
		}
		for _, raw := range [][]byte{got.Parameters, got.Progress, got.Result} {
			if strings.Contains(string(raw), password) {
				t.Fatalf("the job's record shows the agent's password: %s", raw)
			}
		}
	})
}

// A member whose agent is down does not stop the others; the job fails naming the member and
// the agent's URL, and says which results were stored.
func TestDisktestJobWithAnAgentDownFailsNamingTheMemberAndURL(t *testing.T) {
	up := agenttest.Start(t, agenttest.Options{Member: "infra0"})
	down := clusterconfig.DiskAgent{Member: "infra1", URL: closedURL(t), Timeout: up.Entry.Timeout}
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	startRunner(t, q, st, runnerOpts(), diskDeps(st, down, up.Entry))
	j := submit(t, st, q, KindDiskTest, `{`+smallProbe+`}`)
	got := waitFinal(t, st, j.ID)
	if got.Status != store.JobFailed {
		t.Fatalf("job: %s %s", got.Status, got.Error)
	}
	var prog disktestProgress
	_ = json.Unmarshal(got.Progress, &prog)
	if len(prog.Results) != 1 || prog.Results[0].Member != "infra0" {
		t.Fatalf("progress %s: want infra0's result", got.Progress)
	}
	for _, want := range []string{"disk agent of member infra1 at " + down.URL + ": probe: ", "connection refused", "results stored for infra0 as " + prog.Results[0].Result} {
		if !strings.Contains(got.Error, want) {
			t.Errorf("error %q does not say %q", got.Error, want)
		}
	}
}

// An agent answering 409 (a probe runs) or 429 (over its I/O budget) fails the job saying so.
func TestDisktestJobFailsSayingTheAgentIsBusyOrOverBudget(t *testing.T) {
	busy := agenttest.Start(t, agenttest.Options{Member: "infra0"})
	budget := agenttest.Start(t, agenttest.Options{Member: "infra1", MaxBytesPerHour: 400000})
	// A long probe holds infra0's agent; a first probe uses most of infra1's budget.
	ctx, cancel := context.WithCancel(context.Background())
	held := make(chan error, 1)
	go func() {
		held <- probeOnce(ctx, busy.Entry, diskprobe.ProbeRequest{Profile: "agent", BlockSize: 2300, Size: 230000, Duration: "1m"})
	}()
	t.Cleanup(func() { cancel(); <-held })
	eventually(t, "the long probe to start", func() bool { return len(busy.Entries(t)) > 0 })
	if err := probeOnce(context.Background(), budget.Entry, diskprobe.ProbeRequest{Profile: "agent", BlockSize: 2300, Size: 230000}); err != nil {
		t.Fatal(err)
	}
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{MaxAttempts: 1})
	t.Cleanup(func() { _ = q.Close() })
	startRunner(t, q, st, runnerOpts(), diskDeps(st, busy.Entry, budget.Entry))
	for member, want := range map[string]string{
		"infra0": "a probe is already running on the agent (409 Conflict)",
		"infra1": "the probe is over the agent's I/O budget (429 Too Many Requests)",
	} {
		j := submit(t, st, q, KindDiskTest, `{"member":"`+member+`",`+smallProbe+`}`)
		got := waitFinal(t, st, j.ID)
		if got.Status != store.JobFailed || !strings.Contains(got.Error, "disk agent of member "+member) || !strings.Contains(got.Error, want) {
			t.Errorf("%s: %s %q, want failed with %q", member, got.Status, got.Error, want)
		}
	}
}

// Cancelling a disk test cancels the agent's probe: the probe's directory is gone.
func TestDisktestJobCancelledStopsTheAgentsProbe(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{})
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	t.Cleanup(func() { _ = q.Close() })
	startRunner(t, q, st, runnerOpts(), diskDeps(st, a.Entry))
	j := submit(t, st, q, KindDiskTest, `{"profile":"agent","block_size":2300,"size":230000,"duration":"5m"}`)
	eventually(t, "the agent's probe to start", func() bool { return len(a.Entries(t)) > 0 })
	if _, err := st.RequestJobCancel(context.Background(), j.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := waitFinal(t, st, j.ID); got.Status != store.JobCancelled {
		t.Fatalf("job: %s %s", got.Status, got.Error)
	}
	eventually(t, "the probe's directory to be removed", func() bool { return len(a.Entries(t)) == 0 })
	if rs, err := st.ListResults(context.Background(), store.ResultFilter{Kind: store.KindDiskTest}); err != nil || len(rs) != 0 {
		t.Fatalf("results after a cancel: %d, %v", len(rs), err)
	}
}
