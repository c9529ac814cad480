package jobkinds

import (
	"encoding/json"
	"time"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// DiskTestParameters are the parameters of a stored disk-test result: the job's request as
// sent to the member's agent, and the agent's URL. Never a credential.
type DiskTestParameters struct {
	Job       string  `json:"job"`
	Member    string  `json:"member"`
	URL       string  `json:"url"`
	Engine    string  `json:"engine,omitempty"`
	Profile   string  `json:"profile,omitempty"`
	BlockSize int64   `json:"block_size,omitempty"`
	Size      int64   `json:"size,omitempty"`
	Duration  string  `json:"duration,omitempty"`
	Threshold float64 `json:"threshold,omitempty"`
}

// disktestStoreResult is the stored result of one member's probe: the agent's result as the
// figures, named by the member, judged by the probe's own verdict.
func disktestStoreResult(job store.Job, p disktestParams, a clusterconfig.DiskAgent, res diskprobe.Result) store.Result {
	parameters, _ := json.Marshal(DiskTestParameters{Job: job.ID, Member: a.Member, URL: a.URL, Engine: p.Engine,
		Profile: p.Profile, BlockSize: p.BlockSize, Size: p.Size, Duration: p.Duration, Threshold: p.Threshold})
	figures, _ := json.Marshal(res)
	started, finished := res.StartedAt, res.FinishedAt
	if started.IsZero() {
		started = time.Now()
	}
	if finished.Before(started) {
		finished = started
	}
	var verdict store.Verdict
	switch res.Verdict {
	case "pass":
		verdict = store.VerdictPass
	case "fail":
		verdict = store.VerdictFail
	}
	return store.Result{Kind: store.KindDiskTest, Cluster: job.Cluster, Name: a.Member, StartedAt: started,
		FinishedAt: finished, Parameters: parameters, Figures: figures, Verdict: verdict}
}
