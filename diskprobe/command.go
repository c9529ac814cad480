package diskprobe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/etcd-monitor/etcd-monitor/internal/progressbar"
)

// Exit codes of `etcd-monitor diskprobe`.
const (
	ExitPass  = 0 // the disk is under the line
	ExitFail  = 1 // the disk is over the line
	ExitError = 2 // bad input, or the probe could not run or finish
)

// RunCommandName is the one-shot probe's subcommand, the default: `diskprobe --dir DIR`
// is `diskprobe run --dir DIR` (kingpin reads a default subcommand's flags without its word).
const RunCommandName = "run"

// Command is `etcd-monitor diskprobe`: a one-shot probe (`diskprobe [run] --dir DIR`).
type Command struct {
	app    *kingpin.Application
	clause *kingpin.CmdClause
	run    *kingpin.CmdClause

	dir, walDir, engine, profile string
	blockSize, size, preallocate string
	duration, threshold          time.Duration
	fioPath, compareMember       string
	writeOut                     string

	// Stdout and Stderr default to the process's.
	Stdout, Stderr io.Writer
}

// RegisterCommand adds `diskprobe` to app, with its one-shot probe as the default
// subcommand `run`; further subcommands (serve) go under Clause().
func RegisterCommand(app *kingpin.Application) *Command {
	c := &Command{app: app, Stdout: os.Stdout, Stderr: os.Stderr}
	c.clause = app.Command("diskprobe", "Is this disk fast enough for etcd? A WAL-style fdatasync test (native, or fio with the same job), judged against etcd's p99 < 10ms line.")
	c.run = c.clause.Command(RunCommandName, "Probe a directory's disk once and print the verdict (exit 0 pass, 1 fail, 2 error); the default: `diskprobe --dir DIR` runs it.").Default()
	f := c.run.Flag
	f("dir", "Directory to probe in (a subdirectory of its own is made and removed); a member's data directory is probed on its WAL directory's filesystem.").PlaceHolder("DIR").StringVar(&c.dir)
	f("wal-dir", "The member's WAL directory, when etcd runs with --wal-dir: its filesystem is probed.").PlaceHolder("DIR").StringVar(&c.walDir)
	f("engine", "native (Go, as etcd's WAL writes) or fio (the installed fio with the same job).").Default(string(EngineNative)).StringVar(&c.engine)
	f("profile", "Job: etcd (etcd docs' fio check: 22m in 2300-byte writes), openshift (etcd-perf: 8000-byte writes, 100m, 60s), agent (2m, the agent's small probe).").Default("etcd").StringVar(&c.profile)
	f("block-size", "Bytes per write, each followed by fdatasync (overrides the profile's).").PlaceHolder("SIZE").StringVar(&c.blockSize)
	f("size", "Bytes to write, e.g. 22m (overrides the profile's).").PlaceHolder("SIZE").StringVar(&c.size)
	f("duration", "Make the job time-based: rewrite --size for this long (overrides the profile's).").PlaceHolder("DURATION").DurationVar(&c.duration)
	f("preallocate", "Segment preallocated before writing, native engine (default: the profile's; etcd's WAL preallocates 64m).").PlaceHolder("SIZE").StringVar(&c.preallocate)
	f("threshold", "The p99 fdatasync line of the verdict.").Default(DefaultThreshold.String()).DurationVar(&c.threshold)
	f("fio-path", "fio executable, for --engine=fio.").Default("fio").StringVar(&c.fioPath)
	f("compare-member", "A running member's metrics URL (http://host:2379/metrics, or its base URL): its own WAL fsync p99 over the probe's window is shown beside ours.").PlaceHolder("URL").StringVar(&c.compareMember)
	f("write-out", "Output format: text or json.").Short('w').Default("text").StringVar(&c.writeOut)
	return c
}

// Clause is `diskprobe`, for further subcommands.
func (c *Command) Clause() *kingpin.CmdClause { return c.clause }

// Matches reports whether the parsed command is the one-shot probe.
func (c *Command) Matches(chosen string) bool { return chosen == c.run.FullCommand() }

// flagOf maps an option field to the flag that sets it.
var flagOf = map[string]string{
	"dir": "--dir", "wal_dir": "--wal-dir", "engine": "--engine", "profile": "--profile",
	"job.profile": "--profile", "job.block_size": "--block-size", "job.size": "--size",
	"job.duration": "--duration", "job.preallocate": "--preallocate", "threshold": "--threshold",
	"fio_path": "--fio-path", "compare_member": "--compare-member",
}

// Run probes once and prints the report; the exit code is the verdict (see ExitPass).
func (c *Command) Run(ctx context.Context, logger *slog.Logger) int {
	o, err := c.options(logger)
	if err != nil {
		return c.fail(err)
	}
	disp := progressbar.New(c.Stderr, progressbar.EveryTenth)
	o.Progress = disp.Update
	res, err := Run(ctx, o)
	disp.Finish()
	if err != nil && !res.Partial {
		return c.fail(err)
	}
	if werr := c.write(res); werr != nil {
		fmt.Fprintf(c.Stderr, "Error: write the report: %v\n", werr)
		return ExitError
	}
	if err != nil {
		fmt.Fprintf(c.Stderr, "Error: %v\n", err)
		return ExitError
	}
	if res.Verdict != "pass" {
		return ExitFail
	}
	return ExitPass
}

// options builds the probe's options from the flags.
func (c *Command) options(logger *slog.Logger) (Options, error) {
	if c.writeOut != "text" && c.writeOut != "json" {
		return Options{}, fieldErr("write-out", "unknown output format %q (want text or json)", c.writeOut)
	}
	if c.dir == "" && c.walDir == "" {
		return Options{}, fieldErr("dir", "required: the directory to probe (--dir DIR)")
	}
	j, err := ProfileJob(c.profile)
	if err != nil {
		return Options{}, err
	}
	custom := false
	for _, s := range []struct {
		field, text string
		into        *int64
	}{{"job.block_size", c.blockSize, &j.BlockSize}, {"job.size", c.size, nil}, {"job.preallocate", c.preallocate, &j.Preallocate}} {
		if s.text == "" {
			continue
		}
		v, err := ParseSize(s.text)
		if err != nil {
			return Options{}, &FieldError{Field: s.field, Err: err}
		}
		if s.into == nil {
			j = j.withSize(v)
		} else {
			*s.into = v
		}
		custom = true
	}
	if c.duration != 0 {
		j.Duration, custom = c.duration, true
	}
	if custom {
		j.Profile = "custom"
	}
	return Options{
		Dir: c.dir, WALDir: c.walDir, Engine: Engine(c.engine), Job: j, Threshold: c.threshold,
		FioPath: c.fioPath, CompareMember: c.compareMember, Logger: logger,
		// One probe and nothing else to serve: syncs as raw system calls, timed as fio times them.
		RawSync: true,
	}, nil
}

func (c *Command) write(res Result) error {
	if c.writeOut == "json" {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return WriteText(c.Stdout, res)
}

// fail prints err, naming the flag for a bad option, and returns the exit code.
func (c *Command) fail(err error) int {
	var fe *FieldError
	if errors.As(err, &fe) {
		name := fe.Field
		if f, ok := flagOf[name]; ok {
			name = f
		} else if !strings.HasPrefix(name, "--") {
			name = "--" + name
		}
		fmt.Fprintf(c.Stderr, "Error: %s: %v\n", name, fe.Err)
		return ExitError
	}
	fmt.Fprintf(c.Stderr, "Error: %v\n", err)
	return ExitError
}
