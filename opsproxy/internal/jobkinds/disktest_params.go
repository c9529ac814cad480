package jobkinds

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
)

// Bounds of a disk test's parameters, those of the probe itself (the agent's I/O budget may
// refuse less): beyond them a value is a mistake or an attack on the record.
const (
	maxDiskTestMember    = 256
	maxDiskTestBlockSize = diskprobe.MaxBlockSize
	maxDiskTestSize      = diskprobe.MaxSize
	minDiskTestDuration  = diskprobe.MinDuration
	maxDiskTestDuration  = diskprobe.MaxDuration
)

// maxDiskTestThreshold is the largest p99 line, in seconds.
var maxDiskTestThreshold = diskprobe.MaxThreshold.Seconds()

// disktestParams are the parameters of a "disktest" job: the member whose agent probes (every
// member with an agent when empty, one after another) and the probe's request. Zero fields
// take the profile's values. Where the agents are and how to reach them is configuration
// (the cluster's disk_agents); neither can be given.
type disktestParams struct {
	Member    string  `json:"member,omitempty"`
	Engine    string  `json:"engine,omitempty"`
	Profile   string  `json:"profile,omitempty"`
	BlockSize int64   `json:"block_size,omitempty"`
	Size      int64   `json:"size,omitempty"`
	Duration  string  `json:"duration,omitempty"`
	Threshold float64 `json:"threshold,omitempty"`

	// duration is Duration parsed.
	duration time.Duration
}

// request is the agent's request of the job.
func (p disktestParams) request() diskprobe.ProbeRequest {
	return diskprobe.ProbeRequest{Engine: diskprobe.Engine(p.Engine), Profile: p.Profile, BlockSize: p.BlockSize,
		Size: p.Size, Duration: p.Duration, Threshold: p.Threshold}
}

// parseDisktestParams decodes and checks a disk test's parameters; the error names the field.
func parseDisktestParams(raw json.RawMessage) (disktestParams, error) {
	var p disktestParams
	if err := decodeParams(raw, &p); err != nil {
		return p, err
	}
	if len(p.Member) > maxDiskTestMember {
		return p, fmt.Errorf("member: longer than %d characters", maxDiskTestMember)
	}
	switch diskprobe.Engine(p.Engine) {
	case "", diskprobe.EngineNative, diskprobe.EngineFio:
	default:
		return p, fmt.Errorf("engine: unknown engine %.64q (want native or fio)", p.Engine)
	}
	switch p.Profile {
	case "", "etcd", "openshift", "agent":
	default:
		return p, fmt.Errorf("profile: unknown profile %.64q (want etcd, openshift or agent)", p.Profile)
	}
	if p.BlockSize < 0 || p.BlockSize > maxDiskTestBlockSize {
		return p, fmt.Errorf("block_size: must be 0 (the profile's) or between 1 and %d bytes, got %d", maxDiskTestBlockSize, p.BlockSize)
	}
	if p.Size < 0 || p.Size > maxDiskTestSize {
		return p, fmt.Errorf("size: must be 0 (the profile's) or between 1 and %d bytes, got %d", int64(maxDiskTestSize), p.Size)
	}
	if p.Size != 0 && p.BlockSize != 0 && p.Size < p.BlockSize {
		return p, fmt.Errorf("size: must be at least block_size (%d bytes), got %d", p.BlockSize, p.Size)
	}
	if p.Duration != "" {
		if len(p.Duration) > 32 {
			return p, errors.New("duration: longer than 32 characters")
		}
		d, err := model.ParseDuration(p.Duration)
		if err != nil {
			return p, fmt.Errorf("duration: %w", err)
		}
		p.duration = time.Duration(d)
		if p.duration != 0 && (p.duration < minDiskTestDuration || p.duration > maxDiskTestDuration) {
			return p, fmt.Errorf("duration: must be empty (size-based) or between %s and %s, got %s", minDiskTestDuration, model.Duration(maxDiskTestDuration), p.Duration)
		}
	}
	if p.Threshold < 0 || p.Threshold > maxDiskTestThreshold {
		return p, fmt.Errorf("threshold: must be 0 (10 ms) or a p99 line above 0 and at most %g seconds, got %g", maxDiskTestThreshold, p.Threshold)
	}
	return p, nil
}

// diskAgents are the agents configured on the cluster called name, in the configuration
// served now (none without Deps.DiskAgents).
func (d Deps) diskAgents(cluster string) []clusterconfig.DiskAgent {
	if d.DiskAgents == nil {
		return nil
	}
	return d.DiskAgents(cluster)
}

// disktestAgents are the agents a disk test of cluster with p asks: the member's, or every
// configured one. A member without an agent, or a cluster without any, is a bad parameter; so
// is a time-based probe longer than an agent's timeout (the call would be cut).
func (d Deps) disktestAgents(cluster string, p disktestParams) ([]clusterconfig.DiskAgent, error) {
	all := d.diskAgents(cluster)
	var out []clusterconfig.DiskAgent
	switch {
	case len(all) == 0:
		return nil, jobs.InvalidParameters(fmt.Errorf("member: cluster %q has no disk_agents configured", cluster))
	case p.Member == "":
		out = all
	default:
		for _, a := range all {
			if a.Member == p.Member {
				out = append(out, a)
			}
		}
		if len(out) == 0 {
			names := make([]string, 0, len(all))
			for _, a := range all {
				names = append(names, a.Member)
			}
			return nil, jobs.InvalidParameters(fmt.Errorf("member: no disk agent for member %.64q in cluster %q (agents: %v)", p.Member, cluster, names))
		}
	}
	for _, a := range out {
		if timeout := time.Duration(a.Timeout); timeout > 0 && p.duration >= timeout {
			return nil, jobs.InvalidParameters(fmt.Errorf("duration: %s is not shorter than the timeout (%s) of member %s's disk agent",
				p.Duration, model.Duration(timeout), a.Member))
		}
	}
	return out, nil
}

// admitDisktest refuses a member without an agent on the cluster (InvalidParameters).
func (d Deps) admitDisktest(cluster string, raw json.RawMessage) error {
	p, err := parseDisktestParams(raw)
	if err != nil {
		return jobs.InvalidParameters(err)
	}
	_, err = d.disktestAgents(cluster, p)
	return err
}
