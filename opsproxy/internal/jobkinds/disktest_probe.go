package jobkinds

import (
	"context"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskagent"
)

// probe asks the agent a for a probe with the job's request. Its error names the member and
// the agent's URL, never a credential.
func (d Deps) probe(ctx context.Context, a clusterconfig.DiskAgent, p disktestParams) (diskprobe.Result, error) {
	c, err := diskagent.New(a)
	if err != nil {
		return diskprobe.Result{}, err
	}
	defer c.Close()
	return c.Probe(ctx, p.request())
}
