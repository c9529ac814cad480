package diskprobe

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
)

// newTestApp is an application shaped as etcd-monitor's: promslog's flags, diskprobe, and a
// serve subcommand under diskprobe as the agent adds one.
func newTestApp() (*kingpin.Application, *Command) {
	app := kingpin.New("etcd-monitor", "")
	promslogflag.AddFlags(app, &promslog.Config{})
	app.Command("ctl", "")
	c := RegisterCommand(app)
	c.Clause().Command("serve", "")
	return app, c
}

func TestDiskprobeWithoutTheRunWordParsesItsFlags(t *testing.T) {
	cases := [][]string{
		{"diskprobe", "--dir", "/d", "-w", "json", "--profile", "agent"},
		{"--log.level", "debug", "diskprobe", "--dir=/d", "--write-out=json", "--profile=agent"},
		{"diskprobe", "run", "--dir", "/d", "-w", "json", "--profile", "agent"},
	}
	for _, args := range cases {
		app, c := newTestApp()
		chosen, err := app.Parse(args)
		if err != nil || !c.Matches(chosen) || c.dir != "/d" || c.writeOut != "json" || c.profile != "agent" {
			t.Errorf("parse %q: %q %v; dir %q write-out %q profile %q", args, chosen, err, c.dir, c.writeOut, c.profile)
		}
	}
	app, c := newTestApp()
	if chosen, err := app.Parse([]string{"diskprobe", "serve"}); err != nil || c.Matches(chosen) {
		t.Errorf("diskprobe serve: %q %v", chosen, err)
	}
}

// runCommand parses args as etcd-monitor would and runs the diskprobe command.
func runCommand(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	app, c := newTestApp()
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	chosen, err := app.Parse(args)
	if err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	if !c.Matches(chosen) {
		t.Fatalf("chosen %q", chosen)
	}
	code := c.Run(context.Background(), slog.New(slog.DiscardHandler))
	return code, stdout.String(), stderr.String()
}

func TestCommandExitsZeroOnPassAndPrintsTheReport(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	dir := probeDirFor(t)
	code, out, errOut := runCommand(t, "diskprobe", "--dir", dir, "--size", "256k", "--block-size", "4k", "--threshold", "10s")
	if code != ExitPass {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	for _, want := range []string{"Disk probe: native engine, profile custom (4096-byte writes", "Measured on:  " + dir, "I/O budget:", "Written:      64 syncs",
		"fdatasync latency histogram:", "|#", "Verdict: PASS: p99 fdatasync"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "progress: 64/64 (100%)") {
		t.Errorf("progress lines: %q", errOut)
	}
	assertNothingLeft(t, dir)
}

func TestCommandExitsOneOnFailAndWritesJSON(t *testing.T) {
	if !nativeSupported {
		t.Skip("native probe unsupported here")
	}
	dir := probeDirFor(t)
	code, out, errOut := runCommand(t, "diskprobe", "--dir", dir, "--size=256k", "--block-size=4k", "--threshold=1ns", "-w", "json")
	if code != ExitFail {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var res Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if res.Verdict != "fail" || res.Syncs != 64 || res.Job.Profile != "custom" {
		t.Fatalf("result %+v", res)
	}
	assertNothingLeft(t, dir)
}

func TestCommandBadInputExitsTwoNamingTheFlagAndLeavesNothing(t *testing.T) {
	dir := probeDirFor(t)
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"diskprobe"}, "Error: --dir: required: the directory to probe (--dir DIR)"},
		{[]string{"diskprobe", "--dir", dir, "--profile", "fast"}, `Error: --profile: unknown profile "fast" (want etcd, openshift or agent)`},
		{[]string{"diskprobe", "--dir", dir, "--size", "lots"}, `Error: --size: not a size: "lots"`},
		{[]string{"diskprobe", "--dir", dir, "--size=-5"}, `Error: --size: not a size: "-5"`},
		{[]string{"diskprobe", "--dir", dir, "--block-size", "0"}, "Error: --block-size: must be between 1 byte and 16.0 MiB, got 0"},
		{[]string{"diskprobe", "--dir", dir, "--size", "1k"}, "Error: --size: must be at least the block size (2300 bytes)"},
		{[]string{"diskprobe", "--dir", dir, "--duration", "1ms"}, "Error: --duration: must be 0 (size-based) or between 100ms"},
		{[]string{"diskprobe", "--dir", file}, "Error: --dir: " + file + " is not a directory"},
		{[]string{"diskprobe", "--dir", dir + "/none"}, "Error: --dir: " + dir + "/none does not exist"},
		{[]string{"diskprobe", "--dir", dir, "--engine", "dd"}, `Error: --engine: unknown engine "dd" (want native or fio)`},
		{[]string{"diskprobe", "--dir", dir, "--engine", "fio", "--fio-path", dir + "/no-fio"}, "Error: --fio-path: fio not found (" + dir + "/no-fio)"},
		{[]string{"diskprobe", "--dir", dir, "-w", "yaml"}, `Error: --write-out: unknown output format "yaml" (want text or json)`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args[1:], " "), func(t *testing.T) {
			code, out, errOut := runCommand(t, tc.args...)
			if code != ExitError || !strings.Contains(errOut, tc.want) || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, out, errOut, tc.want)
			}
			assertNothingLeft(t, dir, "file")
		})
	}
}

func TestCommandWithUnparseableFioOutputExitsTwo(t *testing.T) {
	dir := probeDirFor(t)
	fake := filepath.Join(t.TempDir(), "fio")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho garbage\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCommand(t, "diskprobe", "--dir", dir, "--engine=fio", "--fio-path", fake, "--profile", "agent")
	if code != ExitError || !strings.Contains(errOut, "Error: fio output does not parse: no JSON object") {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	assertNothingLeft(t, dir)
}
