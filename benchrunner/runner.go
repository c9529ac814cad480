package benchrunner

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// usage measures this process's CPU over the load phase (getrusage).
type usage struct{ cpu time.Duration }

func startUsage() usage { return usage{cpu: processCPU()} }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident set size in bytes (Linux reports KiB).
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return int64(ru.Maxrss) * 1024
}

func (u usage) finish(start, end time.Time) Runner {
	host, _ := os.Hostname()
	r := Runner{Host: host, CPUs: runtime.NumCPU(), PeakRSS: peakRSS()}
	r.CPUSeconds = (processCPU() - u.cpu).Seconds()
	if wall := end.Sub(start).Seconds(); wall > 0 && r.CPUs > 0 {
		r.CPUPercent = 100 * r.CPUSeconds / wall
	}
	return r
}

// clusterInfo is the cluster as the run found it; a figure it cannot read stays zero.
func clusterInfo(ctx context.Context, cli *clientv3.Client) ClusterInfo {
	var info ClusterInfo
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	if st, err := cli.Status(rctx, cli.Endpoints()[0]); err == nil {
		info.Version = st.Version
		info.DBSize = st.DbSize
	}
	if ml, err := cli.MemberList(rctx); err == nil {
		info.Members = len(ml.Members)
	}
	return info
}
