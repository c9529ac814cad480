package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// recordedRun is a real bench -w json report (a put run against an embedded etcd).
func recordedRun(n int) string {
	return filepath.Join("..", "..", "benchrunner", "regress", "testdata", "recorded-put-"+string(rune('0'+n))+".json")
}

func TestBenchReportWritesOnePage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	code, stdout, stderr := runBench(context.Background(), "report", recordedRun(1), recordedRun(2), "-o", out)
	if code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := html.Parse(strings.NewReader(string(page))); err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	for _, want := range []string{"recorded-put-2 against recorded-put-1", "Latency distribution", "Throughput per second", "p99 latency per second"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("the output directory holds %d entries, want only the page (no temporary file left)", len(entries))
	}
}

func TestBenchReportToStandardOutput(t *testing.T) {
	code, stdout, _ := runBench(context.Background(), "report", recordedRun(3))
	if code != 0 || !strings.HasPrefix(stdout, "<!DOCTYPE html>") {
		t.Errorf("exit %d, output starts %.40q", code, stdout)
	}
}

func TestBenchReportBadInput(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "notes.json")
	notReport := filepath.Join(dir, "other.json")
	if err := os.WriteFile(notJSON, []byte("Summary:\n  Total: 1.0 secs\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(notReport, []byte(`{"kind":"something else"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.html")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no files", []string{"-o", out}, 1, "no run files given"},
		{"missing file", []string{filepath.Join(dir, "absent.json"), "-o", out}, 1, "absent.json"},
		{"text report", []string{notJSON, "-o", out}, 1, "notes.json: not a bench -w json report"},
		{"other JSON", []string{notReport, "-o", out}, 1, "other.json: not a bench -w json report (no command)"},
		{"bad min effect", []string{recordedRun(1), "--min-effect", "2", "-o", out}, 1, "--min-effect: 2 must be between 0 and 1"},
		{"bad alpha", []string{recordedRun(1), "--alpha", "0", "-o", out}, 1, "--alpha: 0 must be between 0 and 0.5"},
		{"unwritable output", []string{recordedRun(1), "-o", filepath.Join(dir, "absent-dir", "r.html")}, 1, "--output:"},
		{"unknown flag", []string{recordedRun(1), "--format", "pdf"}, 255, "unknown flag: --format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runBench(context.Background(), append([]string{"report"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr %q, want %q", code, tc.code, stderr, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Error("a failed report must write nothing")
			}
		})
	}
}

func TestBenchCheckAndReportHelp(t *testing.T) {
	for sub, want := range map[string]string{"check": "--profiles string", "report": "-o, --output string"} {
		code, out, _ := runBench(context.Background(), sub, "--help")
		if code != 0 || !strings.Contains(out, "etcd-monitor bench "+sub) || !strings.Contains(out, want) {
			t.Errorf("%s --help: exit %d\n%s", sub, code, out)
		}
	}
}
