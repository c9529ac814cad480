package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/htmlreport"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/regress"
)

const reportUsageText = `Writes one self-contained HTML page of benchmark runs (files of bench -w json): each run's
summary, the latency distribution, per-second throughput and p99 with the runs overlaid, and
the regression verdict of each later run against the first.

Usage:
  etcd-monitor bench report RUN.json... -o report.html [flags]

Flags:
`

// maxRunFile bounds a run file: a run's JSON is tens of kilobytes per minute of samples.
const maxRunFile = 64 << 20

func benchReport(args []string, stdio benchrunner.IO) int {
	fs := pflag.NewFlagSet("etcd-monitor bench report", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = true
	out := fs.StringP("output", "o", "-", "the HTML file to write (- for standard output)")
	minEffect := fs.Float64("min-effect", 0.05, "the smallest relative change that counts as a regression or improvement")
	alpha := fs.Float64("alpha", 0.05, "the level of the regression test")
	seed := fs.Int64("seed", 1, "the bootstrap's seed (the same runs and seed give the same verdict)")
	help := fs.BoolP("help", "h", false, "help for report")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stdio.Stderr, "Error: %v\n%s%s\n%v\n", err, reportUsageText, fs.FlagUsages(), err)
		return checkUsage
	}
	if *help {
		fmt.Fprint(stdio.Stdout, reportUsageText+fs.FlagUsages())
		return 0
	}
	if err := writeReport(fs.Args(), *out, regress.Options{MinEffect: *minEffect, Alpha: *alpha, Seed: *seed}, stdio.Stdout); err != nil {
		fmt.Fprintf(stdio.Stderr, "etcd-monitor bench report: %v\n", err)
		return 1
	}
	return 0
}

func writeReport(files []string, out string, o regress.Options, stdout io.Writer) error {
	if len(files) == 0 {
		return errors.New("no run files given (files of bench -w json)")
	}
	if o.MinEffect <= 0 || o.MinEffect >= 1 {
		return fmt.Errorf("--min-effect: %g must be between 0 and 1", o.MinEffect)
	}
	if o.Alpha <= 0 || o.Alpha >= 0.5 {
		return fmt.Errorf("--alpha: %g must be between 0 and 0.5", o.Alpha)
	}
	runs := make([]htmlreport.Run, 0, len(files))
	for _, f := range files {
		rep, err := readRun(f)
		if err != nil {
			return err
		}
		runs = append(runs, htmlreport.Run{Name: strings.TrimSuffix(filepath.Base(f), ".json"), Report: rep})
	}
	var page bytes.Buffer
	if err := htmlreport.Write(&page, runs, o); err != nil {
		return err
	}
	if out == "-" || out == "" {
		_, err := stdout.Write(page.Bytes())
		return err
	}
	return writeFileAtomically(out, page.Bytes())
}

// readRun reads one file of bench -w json.
func readRun(path string) (*benchrunner.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRunFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > maxRunFile {
		return nil, fmt.Errorf("%s: larger than %d MiB; not a bench -w json report", path, maxRunFile>>20)
	}
	var rep benchrunner.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s: not a bench -w json report: %w", path, err)
	}
	if rep.Command == "" {
		return nil, fmt.Errorf("%s: not a bench -w json report (no command)", path)
	}
	return &rep, nil
}

// writeFileAtomically writes data to path through a temporary file in the same directory and
// a rename, so a failed write never leaves half a page behind.
func writeFileAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("--output: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	return nil
}
