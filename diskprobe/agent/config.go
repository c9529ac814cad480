package agent

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

// Defaults of the agent's settings, as `etcd-monitor diskprobe serve` documents them.
const (
	DefaultInterval        = 5 * time.Minute
	DefaultJitter          = 0.2
	DefaultThreshold       = 10 * time.Millisecond
	DefaultMaxBytesPerHour = 256 << 20
	// MinInterval keeps a typo ("5" for "5m") from turning the agent into a load generator.
	MinInterval = time.Second
)

// Config is what the agent probes, how often and within which I/O budget.
type Config struct {
	// Dir is where probes run: each probe makes and removes its own subdirectory in it. Put it
	// on the filesystem of the member's WAL (the member's data directory).
	Dir string
	// WALDir is the member's WAL directory when etcd runs with --wal-dir: probes run on its
	// filesystem (a Dir holding member/wal is probed on its WAL's filesystem without it).
	WALDir string
	// Interval is the mean time between two scheduled probes (default 5m).
	Interval time.Duration
	// Jitter spreads scheduled probes: each wait is Interval ± Jitter×Interval, uniformly, and
	// the first probe comes within Jitter×Interval of the start; in [0, 1). Zero is no jitter
	// (the command's default is DefaultJitter).
	Jitter float64
	// Job is the scheduled probe's job (default: the "agent" profile).
	Job diskprobe.Job
	// Threshold is the p99 line of the scheduled probes' verdicts (default 10ms).
	Threshold time.Duration
	// Engine of the scheduled probes (default native).
	Engine diskprobe.Engine
	// MaxBytesPerHour is the I/O budget: the bytes all probes, scheduled and on demand, may
	// write within any hour (default 256 MiB). A probe that would exceed it does not start.
	MaxBytesPerHour int64
	// ProbeUsers, when not empty, are the only identities allowed to POST /probe: basic auth
	// user names and client certificate common names authenticated by the web config. Others
	// (the Prometheus that scrapes /metrics) get 403.
	ProbeUsers []string
	// WebConfigFile is exporter-toolkit's web config the agent is served with; with ProbeUsers,
	// it must authenticate them (basic_auth_users, or verified client certificates).
	WebConfigFile string
	// FioPath is the fio executable for the fio engine (default: fio from PATH).
	FioPath string
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.Engine == "" {
		c.Engine = diskprobe.EngineNative
	}
	if c.MaxBytesPerHour == 0 {
		c.MaxBytesPerHour = DefaultMaxBytesPerHour
	}
	if c.Job == (diskprobe.Job{}) {
		job, err := diskprobe.ProfileJob("agent")
		if err != nil {
			return c, fmt.Errorf("job: %w", err)
		}
		c.Job = job
	}
	return c, nil
}

// validate reports every problem of c, each naming its setting.
func (c Config) validate() error {
	var errs []error
	switch st, err := os.Stat(c.Dir); {
	case c.Dir == "":
		errs = append(errs, errors.New("dir: must be set"))
	case err != nil:
		errs = append(errs, fmt.Errorf("dir: %w", err))
	case !st.IsDir():
		errs = append(errs, fmt.Errorf("dir: %s is not a directory", c.Dir))
	}
	if c.WALDir != "" {
		if st, err := os.Stat(c.WALDir); err != nil {
			errs = append(errs, fmt.Errorf("wal dir: %w", err))
		} else if !st.IsDir() {
			errs = append(errs, fmt.Errorf("wal dir: %s is not a directory", c.WALDir))
		}
	}
	if c.Interval < MinInterval {
		errs = append(errs, fmt.Errorf("interval: %s is shorter than %s", c.Interval, MinInterval))
	}
	if c.Jitter < 0 || c.Jitter >= 1 {
		errs = append(errs, fmt.Errorf("jitter: %g is not in [0, 1)", c.Jitter))
	}
	if c.Threshold < 0 {
		errs = append(errs, fmt.Errorf("threshold: %s is negative", c.Threshold))
	}
	if c.Engine != diskprobe.EngineNative && c.Engine != diskprobe.EngineFio {
		errs = append(errs, fmt.Errorf("engine: %q is neither native nor fio", c.Engine))
	}
	if c.Job.Size <= 0 || c.Job.BlockSize <= 0 {
		errs = append(errs, fmt.Errorf("job: size %d and block size %d must be positive", c.Job.Size, c.Job.BlockSize))
	}
	if c.Job.Duration > 0 && c.Engine == diskprobe.EngineFio {
		errs = append(errs, errTimeBasedFio)
	}
	switch {
	case c.MaxBytesPerHour < 0:
		errs = append(errs, fmt.Errorf("max bytes per hour: %d is negative", c.MaxBytesPerHour))
	case c.Job.BlockSize > 0 && c.MaxBytesPerHour < writeBytes(c.Job):
		errs = append(errs, fmt.Errorf("max bytes per hour: %s is less than one scheduled probe (%s)",
			diskprobe.FormatBytes(c.MaxBytesPerHour), diskprobe.FormatBytes(writeBytes(c.Job))))
	}
	for i, u := range c.ProbeUsers {
		if u == "" {
			errs = append(errs, fmt.Errorf("probe users[%d]: must not be empty", i))
		}
	}
	if err := checkProbeUsers(c.ProbeUsers, c.WebConfigFile); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// errTimeBasedFio refuses a job the I/O budget cannot bound: fio writes in its own process,
// which the agent cannot stop at the bytes it reserved.
var errTimeBasedFio = errors.New("duration: a time-based probe with the fio engine cannot be held to the agent's I/O budget; use the native engine or a size-based job")

// scheduledBytesPerHour is what the scheduled probes alone write in an hour, on average.
func (c Config) scheduledBytesPerHour() int64 {
	return int64(float64(writeBytes(c.Job)) * float64(time.Hour) / float64(c.Interval))
}
