package diskprobe

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRunRejectsBadOptionsNamingTheField(t *testing.T) {
	dir := probeDirFor(t)
	good := smallJob()
	withJob := func(f func(*Job)) Job { j := good; f(&j); return j }
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"no dir", Options{Job: good}, "dir: must not be empty"},
		{"unknown engine", Options{Dir: dir, Engine: "dd", Job: good}, `engine: unknown engine "dd" (want native or fio)`},
		{"unknown profile", Options{Dir: dir, Job: withJob(func(j *Job) { j.Profile = "fast" })}, `job.profile: unknown profile "fast"`},
		{"zero block size", Options{Dir: dir, Job: withJob(func(j *Job) { j.BlockSize = 0 })}, "job.block_size: must be between 1 byte and 16.0 MiB, got 0"},
		{"huge block size", Options{Dir: dir, Job: withJob(func(j *Job) { j.BlockSize = 1 << 30 })}, "job.block_size: must be between"},
		{"negative size", Options{Dir: dir, Job: withJob(func(j *Job) { j.Size = -1 })}, "job.size: must be at least the block size (4096 bytes)"},
		{"size below block", Options{Dir: dir, Job: withJob(func(j *Job) { j.Size = 100 })}, "job.size: must be at least the block size"},
		{"size over a TiB", Options{Dir: dir, Job: withJob(func(j *Job) { j.Size = 2 << 40 })}, "job.size: must be at least the block size (4096 bytes) and at most 1.0 TiB"},
		{"tiny duration", Options{Dir: dir, Job: withJob(func(j *Job) { j.Duration = time.Millisecond })}, "job.duration: must be 0 (size-based) or between 100ms and 24h0m0s, got 1ms"},
		{"negative preallocation", Options{Dir: dir, Job: withJob(func(j *Job) { j.Preallocate = -5 })}, "job.preallocate: must be between 0"},
		{"negative threshold", Options{Dir: dir, Job: good, Threshold: -time.Millisecond}, "threshold: must be above 0 and at most 10s, got -1ms"},
		{"missing dir", Options{Dir: dir + "/nope", Job: good}, "dir: " + dir + "/nope does not exist"},
		{"missing wal dir", Options{WALDir: dir + "/nope", Job: good}, "wal_dir: " + dir + "/nope does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if !IsBadInput(err) {
				t.Fatalf("error %v is not reported as bad input", err)
			}
			assertNothingLeft(t, dir)
		})
	}
}

func TestProfileJobGivesTheDocumentedJobs(t *testing.T) {
	cases := []struct {
		name string
		want Job
	}{
		{"etcd", Job{Profile: "etcd", BlockSize: 2300, Size: 22 << 20, Preallocate: 64 << 20}},
		{"openshift", Job{Profile: "openshift", BlockSize: 8000, Size: 100 << 20, Duration: time.Minute, Preallocate: 100 << 20}},
		{"agent", Job{Profile: "agent", BlockSize: 2300, Size: 2 << 20, Preallocate: 2 << 20}},
	}
	for _, tc := range cases {
		got, err := ProfileJob(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("ProfileJob(%q) = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	if j, _ := ProfileJob("agent"); j.Writes() < 900 || j.Writes() > 912 {
		t.Errorf("agent profile makes %d syncs, want about 900", j.Writes())
	}
	if _, err := ProfileJob("nvme"); err == nil || err.Error() != `profile: unknown profile "nvme" (want etcd, openshift or agent)` {
		t.Errorf("unknown profile: %v", err)
	}
}

func TestProbeRequestOptionsValidatesAndNamesJSONFields(t *testing.T) {
	dir := probeDirFor(t)
	cases := []struct {
		name string
		req  ProbeRequest
		want string // error text; empty: valid
		job  Job
	}{
		{"empty is the etcd profile", ProbeRequest{}, "", Job{Profile: "etcd", BlockSize: 2300, Size: 22 << 20, Preallocate: 64 << 20}},
		{"agent profile", ProbeRequest{Profile: "agent", Engine: EngineFio}, "", Job{Profile: "agent", BlockSize: 2300, Size: 2 << 20, Preallocate: 2 << 20}},
		{"agent with a size preallocates that size", ProbeRequest{Profile: "agent", Size: 4 << 20}, "", Job{Profile: "custom", BlockSize: 2300, Size: 4 << 20, Preallocate: 4 << 20}},
		{"time-based", ProbeRequest{Profile: "agent", Duration: "30s"}, "", Job{Profile: "custom", BlockSize: 2300, Size: 2 << 20, Preallocate: 2 << 20, Duration: 30 * time.Second}},
		{"unknown profile", ProbeRequest{Profile: "x"}, `profile: unknown profile "x"`, Job{}},
		{"unknown engine", ProbeRequest{Engine: "dd"}, `engine: unknown engine "dd"`, Job{}},
		{"negative block size", ProbeRequest{BlockSize: -1}, "block_size: must not be negative, got -1", Job{}},
		{"negative size", ProbeRequest{Size: -1}, "size: must not be negative, got -1", Job{}},
		{"size below block", ProbeRequest{Size: 10}, "size: must be at least the block size (2300 bytes)", Job{}},
		{"bad duration", ProbeRequest{Duration: "soon"}, `duration: not a valid duration string: "soon"`, Job{}},
		{"short duration", ProbeRequest{Duration: "1ms"}, "duration: must be 0 (size-based) or between 100ms", Job{}},
		{"huge threshold", ProbeRequest{Threshold: 60}, "threshold: must be above 0 and at most 10 seconds, got 60", Job{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := tc.req.Options(dir)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) || !IsBadInput(err) {
					t.Fatalf("error %v, want bad input %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.Job != tc.job || o.Dir != dir || o.Threshold != DefaultThreshold {
				t.Fatalf("options %+v, want job %+v in %s", o, tc.job, dir)
			}
		})
	}
}

func TestParseSizeReadsFioUnitsAndRejectsNonsense(t *testing.T) {
	good := map[string]int64{"2300": 2300, "4k": 4096, "22m": 22 << 20, "22MiB": 22 << 20, "1g": 1 << 30, "64MB": 64 << 20, "512b": 512}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-5", "abc", "1.5m", "12x", "99999999999t"} {
		if _, err := ParseSize(in); err == nil || !strings.Contains(err.Error(), "not a size") {
			t.Errorf("ParseSize(%q): %v, want not a size", in, err)
		}
	}
}
