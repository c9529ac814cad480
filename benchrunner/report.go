package benchrunner

import "time"

// Report is one run's outcome: what `etcd-monitor bench` prints (as text or -w json), what a
// benchmark job stores as its result's figures, and what SLO checks and regression tests read.
// Latencies are in seconds.
type Report struct {
	// Command is the benchmark command: put, range, txn-put, txn-mixed, watch, watch-latency,
	// lease-keepalive.
	Command string `json:"command"`
	// Parameters are the run's flags as given (global and the command's), by etcd's flag names.
	Parameters map[string]string `json:"parameters"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at"`
	// Partial is set when the run stopped early (Ctrl-C, a cancelled job, the cluster lost):
	// the figures cover what ran; Reason says why.
	Partial bool   `json:"partial,omitempty"`
	Reason  string `json:"reason,omitempty"`

	// Requests counts the requests that completed, successful or not; Errors counts the
	// failed ones by their error text (etcd's "Error distribution").
	Requests int64            `json:"requests"`
	Errors   map[string]int64 `json:"errors,omitempty"`
	// Elapsed is the wall time of the load phase; Throughput is successful requests per second.
	Elapsed    time.Duration `json:"elapsed_ns"`
	Throughput float64       `json:"throughput"`

	// Latency is measured from each request's intended start (with --rate: its slot in the
	// schedule; without: when it was sent). Service is from when it was sent; the two are
	// equal without --rate.
	Latency Distribution `json:"latency"`
	Service Distribution `json:"service"`
	// Samples are per-second figures, the input of regression detection.
	Samples []Sample `json:"samples"`

	// Phases are the parts of a run etcd's tool reports separately, each with its own figures:
	// txn-mixed's "read" and "write", watch's "watch-creation" and "events", watch-latency's
	// "put" and "watch-events". The figures above are then the whole run (txn-mixed) or its
	// main part (watch: events; watch-latency: watch-events). Empty for the other commands.
	Phases []Phase `json:"phases,omitempty"`

	// HashKV is put --check-hashkv's summary of the first endpoint after the load.
	HashKV *HashKV `json:"hashkv,omitempty"`

	Runner  Runner      `json:"runner"`
	Cluster ClusterInfo `json:"cluster"`
}

// Distribution summarises a latency histogram.
type Distribution struct {
	Count   int64   `json:"count"`
	Fastest float64 `json:"fastest"`
	Slowest float64 `json:"slowest"`
	Average float64 `json:"average"`
	Stddev  float64 `json:"stddev"`
	// Percentiles are keyed as etcd's report prints them: "10", "25", "50", "75", "90",
	// "95", "99", "99.9".
	Percentiles map[string]float64 `json:"percentiles"`
	// Histogram is the HDR histogram, encoded (hdrhistogram-go's compressed V2 form, base64),
	// so stored runs can be merged and re-queried.
	Histogram string `json:"histogram,omitempty"`
}

// Sample is one second of a run.
// Figures count by completion time; the last sample covers the rest of the run (less than a
// second) and its Throughput is per second of that remainder.
type Sample struct {
	// Second counts from 0 at the start of the load phase.
	Second int `json:"second"`
	// Unix is the second's start as Unix time (the first column of etcd's --sample CSV).
	Unix       int64   `json:"unix"`
	Requests   int64   `json:"requests"`
	Errors     int64   `json:"errors"`
	Throughput float64 `json:"throughput"`
	P50        float64 `json:"p50"`
	P99        float64 `json:"p99"`
	// Min, Mean and Max are the second's latencies (etcd's --sample columns), in seconds.
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
}

// Phase is one separately reported part of a run (see Report.Phases).
type Phase struct {
	Name       string           `json:"name"`
	Requests   int64            `json:"requests"`
	Errors     map[string]int64 `json:"errors,omitempty"`
	Elapsed    time.Duration    `json:"elapsed_ns"`
	Throughput float64          `json:"throughput"`
	Latency    Distribution     `json:"latency"`
	Service    Distribution     `json:"service"`
	Samples    []Sample         `json:"samples"`
}

// Runner describes the machine that generated the load: on a small box the generator can be
// the limit, and the verdict says so.
type Runner struct {
	Host string `json:"host"`
	CPUs int    `json:"cpus"`
	// CPUSeconds is the process's user+system CPU during the load phase; CPUPercent is that
	// over Elapsed, out of 100 × CPUs.
	CPUSeconds float64 `json:"cpu_seconds"`
	CPUPercent float64 `json:"cpu_percent"`
	// PeakRSS is the process's peak resident set size in bytes.
	PeakRSS int64 `json:"peak_rss_bytes"`
}

// ClusterInfo is the cluster as it was when the run started.
type ClusterInfo struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version"`
	Members int    `json:"members"`
	DBSize  int64  `json:"db_size_bytes"`
}

// HashKV is the hash of the key space at one endpoint (put --check-hashkv).
type HashKV struct {
	Hash     uint32        `json:"hash"`
	Endpoint string        `json:"endpoint"`
	Took     time.Duration `json:"took_ns"`
	DBSize   int64         `json:"db_size_bytes"`
}
