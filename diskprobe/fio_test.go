package diskprobe

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// needFio fails when fio is missing on a Debian machine, where scripts/install-test-deps.sh
// (run by `make test`) installs it; elsewhere it skips.
func needFio(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("fio"); err != nil {
		if _, aptErr := exec.LookPath("apt-get"); aptErr == nil {
			t.Fatal("fio is not installed: run scripts/install-test-deps.sh (Debian package fio)")
		}
		t.Skip("fio not installed")
	}
}

func TestParseFioJSONReadsSyncLatencyOfRealFioOutput(t *testing.T) {
	b, err := os.ReadFile("testdata/fio-3.33-sync.json")
	if err != nil {
		t.Fatal(err)
	}
	// fio may print notes before its JSON.
	f, err := ParseFioJSON(append([]byte("fio: note: something\n"), b...))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"50": 189440e-9, "90": 3915776e-9, "99": 4620288e-9, "99.9": 7962624e-9}
	for k, v := range want {
		if got := f.sync.Percentiles[k]; got < v*0.999999 || got > v*1.000001 {
			t.Errorf("p%s = %g, want %g", k, got, v)
		}
	}
	if f.syncs != 455 || f.sync.Count != 455 || f.bytes != 1046500 || f.sync.Min != 95761e-9 || f.sync.Max != 7947104e-9 || f.elapsed != 482*time.Millisecond {
		t.Errorf("figures %+v", f)
	}
}

func TestParseFioJSONRejectsWhatIsNotFiosJSON(t *testing.T) {
	cases := map[string]string{
		"":                             "fio output does not parse: no JSON object",
		"fio: engine libaio not found": "fio output does not parse: no JSON object",
		"{\"jobs\": [":                 "fio output does not parse as fio's JSON",
		`{"jobs": []}`:                 "no jobs in it",
		`{"jobs": [{"sync": {}}]}`:     "no sync latencies",
		`{"jobs": [{"sync": {"lat_ns": {"N": 3, "percentile": {}}}}]}`: `no jobs[0].sync.lat_ns.percentile["99.000000"]`,
		`{"jobs": [{"error": 5}]}`:                                     "fio reports error 5",
	}
	for in, want := range cases {
		if _, err := ParseFioJSON([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFioJSON(%q): %v, want %q", in, err, want)
		}
	}
}

func TestFioRunWithRealFioGivesAWellFormedResult(t *testing.T) {
	needFio(t)
	dir := probeDirFor(t)
	res, err := Run(context.Background(), Options{Dir: dir, Engine: EngineFio, Job: smallJob(), Threshold: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// fio counts the syncs it timed: one per write, sometimes one fewer (its last).
	if res.Engine != EngineFio || res.Syncs < 63 || res.Syncs > 64 || res.Sync.Count != res.Syncs || res.Bytes != 64*4096 || res.Verdict != "pass" {
		t.Fatalf("result %+v", res)
	}
	for _, k := range []string{"50", "90", "99", "99.9"} {
		if res.Sync.Percentiles[k] <= 0 {
			t.Errorf("p%s missing: %v", k, res.Sync.Percentiles)
		}
	}
	if res.Write != nil || res.Sync.Histogram != "" || res.Runner.CPUSeconds <= 0 {
		t.Errorf("fio result: write %+v histogram %q runner %+v", res.Write, res.Sync.Histogram, res.Runner)
	}
	assertNothingLeft(t, dir)
}

func TestNativeAndFioAgreeOnTheShapeOfTheSameJob(t *testing.T) {
	needFio(t)
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	dir := probeDirFor(t)
	j := Job{Profile: "custom", BlockSize: 2300, Size: 100 * 2300}
	var got [2]Result
	for i, e := range []Engine{EngineNative, EngineFio} {
		res, err := Run(context.Background(), Options{Dir: dir, Engine: e, Job: j})
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		got[i] = res
	}
	// Same job, same counts; the timings are the disk's and not compared here.
	if got[0].Syncs != 100 || got[1].Syncs < 99 || got[1].Syncs > 100 || got[0].Bytes != got[1].Bytes {
		t.Fatalf("native %d syncs %d bytes, fio %d syncs %d bytes", got[0].Syncs, got[0].Bytes, got[1].Syncs, got[1].Bytes)
	}
	if got[0].Filesystem != got[1].Filesystem && got[0].Filesystem.Type != got[1].Filesystem.Type {
		t.Errorf("filesystems differ: %+v %+v", got[0].Filesystem, got[1].Filesystem)
	}
	assertNothingLeft(t, dir)
}

func TestFioRunTimeBasedStopsAtTheDuration(t *testing.T) {
	needFio(t)
	dir := probeDirFor(t)
	j := Job{Profile: "custom", BlockSize: 4096, Size: 16 * 4096, Duration: 500 * time.Millisecond}
	res, err := Run(context.Background(), Options{Dir: dir, Engine: EngineFio, Job: j})
	if err != nil {
		t.Fatal(err)
	}
	if res.Syncs == 0 || res.Elapsed < 400*time.Millisecond {
		t.Fatalf("syncs %d elapsed %s", res.Syncs, res.Elapsed)
	}
	assertNothingLeft(t, dir)
}

func TestFioModeRefusesAMissingFio(t *testing.T) {
	dir := probeDirFor(t)
	missing := filepath.Join(dir, "no-such-fio")
	_, err := Run(context.Background(), Options{Dir: dir, Engine: EngineFio, Job: smallJob(), FioPath: missing})
	if err == nil || !strings.Contains(err.Error(), "fio_path: fio not found ("+missing+")") || !IsBadInput(err) {
		t.Fatalf("error %v", err)
	}
	assertNothingLeft(t, dir)
}

func TestFioModeReportsOutputThatDoesNotParse(t *testing.T) {
	dir := probeDirFor(t)
	bin := t.TempDir()
	cases := map[string]string{
		"garbage":   "#!/bin/sh\necho 'this is not json'\n",
		"truncated": "#!/bin/sh\necho '{\"fio version\": \"fio-3.33\", \"jobs\": ['\n",
		"failing":   "#!/bin/sh\necho 'fio: unrecognized option --fdatasync' >&2\nexit 1\n",
	}
	wants := map[string]string{
		"garbage":   "fio output does not parse: no JSON object",
		"truncated": "fio output does not parse as fio's JSON",
		"failing":   "fio failed: exit status 1: fio: unrecognized option --fdatasync",
	}
	for name, script := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(bin, name)
			if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			_, err := Run(context.Background(), Options{Dir: dir, Engine: EngineFio, Job: smallJob(), FioPath: path})
			if err == nil || !strings.Contains(err.Error(), wants[name]) {
				t.Fatalf("error %v, want %q", err, wants[name])
			}
			assertNothingLeft(t, dir)
		})
	}
}

func TestFioRunStoppedByContextLeavesNothing(t *testing.T) {
	needFio(t)
	dir := probeDirFor(t)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	j := Job{Profile: "custom", BlockSize: 4096, Size: 16 << 20, Duration: time.Minute}
	res, err := Run(ctx, Options{Dir: dir, Engine: EngineFio, Job: j})
	if err == nil || !res.Partial {
		t.Fatalf("err %v partial %v", err, res.Partial)
	}
	assertNothingLeft(t, dir)
}
