package diskprobe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Bounds on what is read from fio.
const (
	maxFioOutput = 16 << 20
	maxFioStderr = 64 << 10
	fioStopGrace = 10 * time.Second
)

// checkFio refuses a fio that cannot be found or run.
func checkFio(path string) error {
	if _, err := exec.LookPath(path); err != nil {
		return fieldErr("fio_path", "fio not found (%s): %w; install fio or use the native engine", path, errors.Unwrap(err))
	}
	return nil
}

// FioArgs are fio's arguments for job j writing in dir: etcd's documented check, with JSON
// output.
func FioArgs(j Job, dir string) []string {
	args := []string{
		"--name=etcd-monitor-diskprobe",
		"--directory=" + dir,
		"--rw=write",
		"--ioengine=sync",
		"--fdatasync=1",
		"--size=" + strconv.FormatInt(j.Size, 10),
		"--bs=" + strconv.FormatInt(j.BlockSize, 10),
		"--output-format=json",
	}
	if j.Duration > 0 {
		args = append(args, "--time_based", "--runtime="+strconv.FormatInt(j.Duration.Milliseconds(), 10)+"ms")
	}
	return args
}

// runFio runs the installed fio with the job in dir and reads its JSON. On ctx's end fio is
// interrupted (SIGINT), which makes it print what it measured so far.
func runFio(ctx context.Context, dir string, o Options) (engineOutput, error) {
	var out engineOutput
	cmd := exec.Command(o.FioPath, FioArgs(o.Job, dir)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &limitedWriter{w: &stdout, n: maxFioOutput}
	cmd.Stderr = &limitedWriter{w: &stderr, n: maxFioStderr}
	total := o.Job.Writes()
	if o.Job.Duration > 0 {
		total = o.Job.Duration.Milliseconds()
	}
	if o.Progress != nil {
		o.Progress(0, total)
	}
	if err := cmd.Start(); err != nil {
		return out, fmt.Errorf("start fio (%s): %w", o.FioPath, err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var err error
	select {
	case err = <-waited:
	case <-ctx.Done():
		out.partial = true
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err = <-waited:
		case <-time.After(fioStopGrace):
			_ = cmd.Process.Kill()
			err = <-waited
		}
	}
	if cmd.ProcessState != nil {
		out.runner = childRunner(cmd.ProcessState)
	}
	if err != nil && !out.partial {
		return out, fmt.Errorf("fio failed: %w: %s", err, firstLines(stderr.String(), 5))
	}
	parsed, perr := ParseFioJSON(stdout.Bytes())
	if perr != nil {
		if out.partial {
			return out, nil
		}
		return out, perr
	}
	out.syncs, out.bytes, out.elapsed, out.sync = parsed.syncs, parsed.bytes, parsed.elapsed, parsed.sync
	if o.Progress != nil && !out.partial {
		o.Progress(total, total)
	}
	return out, nil
}

// fioOutput is the part of fio's JSON output (fio 3.x) a probe reads.
type fioOutput struct {
	Version string `json:"fio version"`
	Jobs    []struct {
		Error      int   `json:"error"`
		JobRuntime int64 `json:"job_runtime"` // ms
		Write      struct {
			IOBytes  int64 `json:"io_bytes"`
			TotalIOs int64 `json:"total_ios"`
		} `json:"write"`
		Sync struct {
			LatNs *struct {
				Min        float64            `json:"min"`
				Max        float64            `json:"max"`
				Mean       float64            `json:"mean"`
				Stddev     float64            `json:"stddev"`
				N          int64              `json:"N"`
				Percentile map[string]float64 `json:"percentile"`
			} `json:"lat_ns"`
		} `json:"sync"`
	} `json:"jobs"`
}

type fioFigures struct {
	syncs, bytes int64
	elapsed      time.Duration
	sync         Latency
}

// ParseFioJSON reads fio's --output-format=json: the sync latency at jobs[0].sync.lat_ns
// (nanoseconds; percentile["99.000000"], N, min, max, mean, stddev). Lines fio prints before
// the JSON (notes, warnings) are skipped.
func ParseFioJSON(b []byte) (fioFigures, error) {
	var f fioFigures
	start := bytes.IndexByte(b, '{')
	if start < 0 {
		return f, fmt.Errorf("fio output does not parse: no JSON object in %d bytes: %q", len(b), firstLines(string(b), 3))
	}
	var o fioOutput
	dec := json.NewDecoder(bytes.NewReader(b[start:]))
	if err := dec.Decode(&o); err != nil {
		return f, fmt.Errorf("fio output does not parse as fio's JSON: %w", err)
	}
	if len(o.Jobs) == 0 {
		return f, errors.New("fio output does not parse: no jobs in it")
	}
	j := o.Jobs[0]
	if j.Error != 0 {
		return f, fmt.Errorf("fio reports error %d for the job", j.Error)
	}
	lat := j.Sync.LatNs
	if lat == nil || lat.N == 0 {
		return f, errors.New("fio output does not parse: no sync latencies (jobs[0].sync.lat_ns.N missing or 0; was --fdatasync=1 honoured?)")
	}
	p99, ok := lat.Percentile["99.000000"]
	if !ok {
		return f, errors.New(`fio output does not parse: no jobs[0].sync.lat_ns.percentile["99.000000"]`)
	}
	f.sync = Latency{
		Count: lat.N, Min: lat.Min / 1e9, Max: lat.Max / 1e9, Mean: lat.Mean / 1e9, Stddev: lat.Stddev / 1e9,
		Percentiles: map[string]float64{"99": p99 / 1e9},
	}
	for key, fioKey := range map[string]string{"50": "50.000000", "90": "90.000000", "99.9": "99.900000"} {
		if v, ok := lat.Percentile[fioKey]; ok {
			f.sync.Percentiles[key] = v / 1e9
		}
	}
	f.syncs, f.bytes = lat.N, j.Write.IOBytes
	f.elapsed = time.Duration(j.JobRuntime) * time.Millisecond
	return f, nil
}

// limitedWriter keeps the first n bytes and discards the rest.
type limitedWriter struct {
	w io.Writer
	n int64
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(int64(len(p)), l.n)
		_, _ = l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "; ")
}
