package diskprobe

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"time"
)

// DefaultThreshold is etcd's production line: p99 of WAL fdatasync under 10 ms.
const DefaultThreshold = 10 * time.Millisecond

// Limits on a job; beyond them a size is nonsense for a disk probe.
const (
	MaxBlockSize   = 16 << 20 // 16 MiB per write
	MaxSize        = 1 << 40  // 1 TiB written
	MinDuration    = 100 * time.Millisecond
	MaxDuration    = 24 * time.Hour
	MaxThreshold   = 10 * time.Second
	minFreeMargin  = 64 << 20 // free space kept beyond what the run needs
	freeMarginPart = 10       // … or a tenth of the need, if larger
)

// Options configure one probe.
type Options struct {
	// Dir is the parent directory; the probe makes and removes its own subdirectory in it.
	// A member's data directory (one holding member/wal) is probed on the filesystem of its
	// WAL directory.
	Dir string
	// WALDir is a member's WAL directory (etcd's --wal-dir), when it has one: the probe runs
	// on its filesystem. With Dir empty, Dir is WALDir.
	WALDir string
	// Engine is native (default) or fio.
	Engine Engine
	// Job is what to write; the zero Job is the etcd profile.
	Job Job
	// Threshold is the p99 line of the verdict (default 10 ms).
	Threshold time.Duration
	// FioPath is the fio executable (default: "fio" from PATH).
	FioPath string
	// CompareMember is a member's metrics URL (http://host:2379/metrics, or its base URL)
	// whose WAL fsync histogram is read before and after the probe.
	CompareMember string
	// RawSync makes the native engine issue each timed fdatasync as a raw system call, outside
	// Go's scheduler bookkeeping: its figures then agree with fio's at the tail, but a disk
	// that hangs a sync stalls the whole process until it returns. For one-shot probes; a
	// long-running process that must stay responsive (the agent) leaves it off.
	RawSync bool
	// Progress, when set, is called as the probe advances: done and total count writes, or
	// milliseconds for a time-based job (fio mode: at start and end only).
	Progress func(done, total int64)
	// Logger receives debug and warning lines; nil discards them.
	Logger *slog.Logger
}

// FieldError is a bad option, naming the field (Options or ProbeRequest JSON name).
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// IsBadInput reports whether err is a bad option (as opposed to a failure while probing).
func IsBadInput(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe)
}

func asField(err error, fe **FieldError) bool { return errors.As(err, fe) }

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.Engine == "" {
		o.Engine = EngineNative
	}
	if o.Job == (Job{}) {
		o.Job, _ = ProfileJob("etcd")
	}
	if o.Job.Profile == "" {
		o.Job.Profile = "custom"
	}
	if o.Threshold == 0 {
		o.Threshold = DefaultThreshold
	}
	if o.FioPath == "" {
		o.FioPath = "fio"
	}
	if o.Dir == "" {
		o.Dir = o.WALDir
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// validate checks the options (after withDefaults); the error names the field.
func (o Options) validate() error {
	if o.Dir == "" {
		return fieldErr("dir", "must not be empty")
	}
	switch o.Engine {
	case EngineNative:
		if !nativeSupported {
			return fieldErr("engine", "the native probe is unsupported on %s (fdatasync and preallocation as etcd uses them are Linux's); use the fio engine", runtime.GOOS)
		}
	case EngineFio:
	default:
		return fieldErr("engine", "unknown engine %q (want native or fio)", o.Engine)
	}
	if err := o.Job.validate("job."); err != nil {
		return err
	}
	if o.Threshold <= 0 || o.Threshold > MaxThreshold {
		return fieldErr("threshold", "must be above 0 and at most %s, got %s", MaxThreshold, o.Threshold)
	}
	return nil
}

// validate checks a job; prefix is put before the field names.
func (j Job) validate(prefix string) error {
	switch j.Profile {
	case "etcd", "openshift", "agent", "custom":
	default:
		return fieldErr(prefix+"profile", "unknown profile %q (want etcd, openshift, agent or custom)", j.Profile)
	}
	if j.BlockSize <= 0 || j.BlockSize > MaxBlockSize {
		return fieldErr(prefix+"block_size", "must be between 1 byte and %s, got %d", FormatBytes(MaxBlockSize), j.BlockSize)
	}
	if j.Size < j.BlockSize || j.Size > MaxSize {
		return fieldErr(prefix+"size", "must be at least the block size (%d bytes) and at most %s, got %d", j.BlockSize, FormatBytes(MaxSize), j.Size)
	}
	if j.Duration != 0 && (j.Duration < MinDuration || j.Duration > MaxDuration) {
		return fieldErr(prefix+"duration", "must be 0 (size-based) or between %s and %s, got %s", MinDuration, MaxDuration, j.Duration)
	}
	if j.Preallocate < 0 || j.Preallocate > MaxSize {
		return fieldErr(prefix+"preallocate", "must be between 0 and %s, got %d", FormatBytes(MaxSize), j.Preallocate)
	}
	return nil
}

// Writes is how many writes (each followed by a sync) a size-based job makes: whole blocks
// only, as fio does.
func (j Job) Writes() int64 { return j.Size / j.BlockSize }

// SpaceBytes is the disk space the job occupies: its file, preallocated or not.
func (j Job) SpaceBytes() int64 { return max(j.Size, j.Preallocate) }

// freeNeeded is the free space a run needs, margin included.
func freeNeeded(j Job) (need, margin int64) {
	need = j.SpaceBytes()
	return need, max(int64(minFreeMargin), need/freeMarginPart)
}
