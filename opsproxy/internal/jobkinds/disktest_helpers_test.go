package jobkinds

import (
	"context"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskagent"
)

// probeOnce asks the agent a for one probe, as a job would.
func probeOnce(ctx context.Context, a clusterconfig.DiskAgent, req diskprobe.ProbeRequest) error {
	c, err := diskagent.New(a)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Probe(ctx, req)
	return err
}
