package diskprobe

import "time"

// Engine is what performs a probe's writes.
type Engine string

// Engines.
const (
	// EngineNative writes from Go as etcd's WAL does (Linux only).
	EngineNative Engine = "native"
	// EngineFio runs the installed fio with the same job and reads its JSON output.
	EngineFio Engine = "fio"
)

// Job is what a probe writes: the same job in either engine.
type Job struct {
	// Profile names the job's origin: "etcd" (etcd's documented fio check), "openshift"
	// (OpenShift's etcd-perf), "agent" (the agent's small periodic probe) or "custom".
	Profile string `json:"profile"`
	// BlockSize is the size of each write, followed by one fdatasync (fio's --bs).
	BlockSize int64 `json:"block_size"`
	// Size is the number of bytes written (fio's --size); with Duration set, writing wraps
	// around to the start of the file until Duration has passed (fio's --time_based).
	Size int64 `json:"size"`
	// Duration, when not zero, makes the job time-based (fio's --runtime with --time_based).
	Duration time.Duration `json:"duration_ns,omitempty"`
	// Preallocate is the size of the segment preallocated before writing, as etcd's WAL
	// preallocates 64 MiB; the native engine only (fio lays out Size itself).
	Preallocate int64 `json:"preallocate"`
}

// Result is one probe's outcome: what `etcd-monitor diskprobe` prints (as text or -w json),
// what the agent returns and exports, and what a disk-test job stores as its result's figures.
// Latencies are in seconds.
type Result struct {
	Engine Engine `json:"engine"`
	Job    Job    `json:"job"`
	// Dir is the directory the probe wrote in (its own subdirectory was made there and
	// removed); WALDir the member's WAL directory whose filesystem it measured, when given.
	Dir        string    `json:"dir"`
	WALDir     string    `json:"wal_dir,omitempty"`
	Host       string    `json:"host"`
	Filesystem FSInfo    `json:"filesystem"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Partial is set when the probe stopped early (Ctrl-C, SIGTERM, a cancelled job);
	// Reason says why. The figures cover what ran.
	Partial bool   `json:"partial,omitempty"`
	Reason  string `json:"reason,omitempty"`

	// Budget is the run's I/O budget, stated before it starts.
	Budget Budget `json:"budget"`
	// RemovedLeftovers are directories of crashed earlier probes this run removed.
	RemovedLeftovers []string `json:"removed_leftovers,omitempty"`

	// Syncs counts the fdatasync calls, Bytes the bytes written; Elapsed is the wall time
	// of the write phase and IOPS is Syncs per second of it.
	Syncs   int64         `json:"syncs"`
	Bytes   int64         `json:"bytes"`
	Elapsed time.Duration `json:"elapsed_ns"`
	IOPS    float64       `json:"iops"`
	// Sync is the fdatasync latency distribution (fio: jobs[0].sync.lat_ns).
	Sync Latency `json:"sync"`
	// Write is the write(2) latency distribution, native engine only.
	Write *Latency `json:"write,omitempty"`

	// Threshold is the p99 line the verdict is judged against, in seconds (default 0.010).
	Threshold float64 `json:"threshold"`
	// Verdict is "pass" when Sync's p99 is below Threshold, "fail" otherwise.
	Verdict string `json:"verdict"`
	// VerdictReason says which figure decided and by how much.
	VerdictReason string `json:"verdict_reason"`
	// Warnings are things the reader must know (tmpfs or overlay results say nothing about
	// a real disk; a partial run; too few syncs for a p99.9).
	Warnings []string `json:"warnings,omitempty"`

	// Member is the cross-check with a running member (--compare-member), when asked for.
	Member *MemberComparison `json:"member,omitempty"`
	// Runner is the probe process's own cost.
	Runner Runner `json:"runner"`
}

// Budget bounds what one probe costs the disk.
type Budget struct {
	// SpaceBytes is the most disk space the probe occupies (its file, preallocation
	// included), all of it removed at the end.
	SpaceBytes int64 `json:"space_bytes"`
	// WriteBytes is the most bytes it writes; 0 for a time-based job, bounded by Duration.
	WriteBytes int64 `json:"write_bytes"`
	// Duration bounds a time-based job.
	Duration time.Duration `json:"duration_ns,omitempty"`
}

// Latency summarises a latency histogram.
type Latency struct {
	Count  int64   `json:"count"`
	Min    float64 `json:"min"`
	Mean   float64 `json:"mean"`
	Stddev float64 `json:"stddev"`
	Max    float64 `json:"max"`
	// Percentiles are keyed "50", "90", "99", "99.9".
	Percentiles map[string]float64 `json:"percentiles"`
	// Histogram is the HDR histogram (hdrhistogram-go's compressed V2 form, base64), so
	// stored results can be merged and re-queried; empty for fio, which reports
	// percentiles only.
	Histogram string `json:"histogram,omitempty"`
}

// FSInfo says what the probe measured on.
type FSInfo struct {
	// Type is the filesystem type (ext4, xfs, tmpfs, overlay, …) of the probe's directory.
	Type string `json:"type"`
	// Device is the mounted source (/dev/nvme0n1p2) and MountPoint where it is mounted.
	Device     string `json:"device"`
	MountPoint string `json:"mount_point"`
	// FreeBytes is the free space before the probe.
	FreeBytes uint64 `json:"free_bytes"`
}

// MemberComparison is a running member's own WAL fsync p99 over the probe's window, read from
// its etcd_disk_wal_fsync_duration_seconds histogram before and after the probe.
type MemberComparison struct {
	URL string `json:"url"`
	// Fsyncs is how many WAL fsyncs the member made in the window.
	Fsyncs int64 `json:"fsyncs"`
	// P99 is the histogram_quantile-style estimate from the bucket deltas, in seconds
	// (bucket-resolution: etcd's buckets double from 1 ms).
	P99 float64 `json:"p99"`
	// Error is set when the member could not be read; the probe's own figures stand.
	Error string `json:"error,omitempty"`
}

// Runner is the probing process's cost during the write phase.
type Runner struct {
	CPUSeconds float64 `json:"cpu_seconds"`
	MaxRSS     int64   `json:"max_rss_bytes"`
}

// ProbeRequest is the body of the agent's POST /probe, a probe on demand; opsproxy's disk-test
// jobs send it. Zero fields take the profile's values.
type ProbeRequest struct {
	// Engine is native (default) or fio.
	Engine Engine `json:"engine,omitempty"`
	// Profile is etcd (default), openshift or agent.
	Profile   string `json:"profile,omitempty"`
	BlockSize int64  `json:"block_size,omitempty"`
	Size      int64  `json:"size,omitempty"`
	// Duration makes the job time-based, in Prometheus duration syntax ("30s").
	Duration string `json:"duration,omitempty"`
	// Threshold is the p99 line in seconds (default 0.010).
	Threshold float64 `json:"threshold,omitempty"`
}
