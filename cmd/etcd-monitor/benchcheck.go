package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
	"github.com/etcd-monitor/etcd-monitor/benchrunner/slo"
)

// Exit statuses of bench check: 0 the profile passed, 1 it failed or could not run, 130 it
// was interrupted (the reports so far and the verdict are printed), 255 a bad command line (as
// bench's).
const (
	checkPassed      = 0
	checkFailed      = 1
	checkInterrupted = 130
	checkUsage       = 255
)

const checkUsageText = `Runs an SLO profile's benchmarks and judges them: etcdctl check perf's s, m, l and xl
(its loads and pass rules), k8s-large, or a profile of one's own from --profiles. Exits 0 when
the profile passes and 1 when it fails; refuses a --prefix that holds keys and deletes its keys
afterwards, also on Ctrl-C.

Usage:
  etcd-monitor bench check [flags]

Flags:
`

// checkOutput is bench check -w json's document.
type checkOutput struct {
	Profile     string                `json:"profile"`
	Description string                `json:"description"`
	Reports     []*benchrunner.Report `json:"reports"`
	Verdict     slo.Verdict           `json:"verdict"`
	Error       string                `json:"error,omitempty"`
}

func benchCheck(ctx context.Context, args []string, stdio benchrunner.IO) int {
	fs := pflag.NewFlagSet("etcd-monitor bench check", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = true
	profileName := fs.String("profile", "s", "the profile to run: s, m, l, xl (etcdctl check perf's), k8s-large, or one from --profiles")
	profilesFile := fs.String("profiles", "", "a YAML file of custom profiles")
	list := fs.Bool("list", false, "list the profiles and exit")
	conn := benchrunner.AddConnectionFlags(fs)
	help := fs.BoolP("help", "h", false, "help for check")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stdio.Stderr, "Error: %v\n%s%s\n%v\n", err, checkUsageText, fs.FlagUsages(), err)
		return checkUsage
	}
	if *help {
		fmt.Fprint(stdio.Stdout, checkUsageText+fs.FlagUsages())
		return checkPassed
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stdio.Stderr, "etcd-monitor bench check: unexpected argument %q (the profile is chosen with --profile)\n", fs.Arg(0))
		return checkUsage
	}
	if conn.WriteOut() != "simple" && conn.WriteOut() != "json" {
		fmt.Fprintf(stdio.Stderr, "etcd-monitor bench check: --write-out: must be simple or json, got %q\n", conn.WriteOut())
		return checkFailed
	}
	var custom []slo.Profile
	if *profilesFile != "" {
		ps, err := slo.LoadProfiles(*profilesFile)
		if err != nil {
			fmt.Fprintf(stdio.Stderr, "etcd-monitor bench check: --profiles: %v\n", err)
			return checkFailed
		}
		custom = ps
	}
	if *list {
		listProfiles(stdio.Stdout, custom)
		return checkPassed
	}
	profile, err := slo.Lookup(*profileName, custom)
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "etcd-monitor bench check: --profile: %v\n", err)
		return checkFailed
	}
	cfg, err := conn.ClientConfig(stdio)
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "etcd-monitor bench check: %v\n", err)
		return checkFailed
	}

	simple := conn.WriteOut() == "simple"
	if simple {
		fmt.Fprintf(stdio.Stdout, "Profile %s: %s\n", profile.Name, profile.Description)
	}
	update, finish := benchrunner.Progress(stdio.Stderr)
	step := -1
	reports, runErr := slo.Execute(ctx, profile, cfg, conn.Prefix(), func(i int, done, total int64) {
		if i != step {
			finish()
			step = i
			fmt.Fprintf(stdio.Stderr, "run %d/%d: %s\n", i+1, len(profile.Runs), profile.Runs[i])
		}
		update(done, total)
	})
	finish()
	if len(reports) == 0 && runErr != nil {
		// Nothing ran (a refused prefix, an unreachable cluster): no verdict to give.
		fmt.Fprintf(stdio.Stderr, "etcd-monitor bench check: %v\n", runErr)
		return checkFailed
	}
	verdict := slo.Judge(profile, reports)
	if err := writeCheck(stdio.Stdout, simple, profile, reports, verdict, runErr); err != nil {
		fmt.Fprintf(stdio.Stderr, "etcd-monitor bench check: writing the verdict: %v\n", err)
		return checkFailed
	}
	if runErr != nil {
		fmt.Fprintf(stdio.Stderr, "etcd-monitor bench check: %v\n", runErr)
	}
	switch {
	case ctx.Err() != nil:
		return checkInterrupted
	case !verdict.Pass || runErr != nil:
		return checkFailed
	}
	return checkPassed
}

// writeCheck prints the runs' reports and the verdict, as text (each report as bench prints
// it, then a PASS/FAIL line per rule as check perf prints them) or as one JSON document.
func writeCheck(w io.Writer, simple bool, p slo.Profile, reports []*benchrunner.Report, v slo.Verdict, runErr error) error {
	if !simple {
		out := checkOutput{Profile: p.Name, Description: p.Description, Reports: reports, Verdict: v}
		if runErr != nil {
			out.Error = runErr.Error()
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	var b strings.Builder
	for i, r := range reports {
		fmt.Fprintf(&b, "\nRun %d/%d: %s\n", i+1, len(p.Runs), p.Runs[i])
		if err := benchrunner.WriteText(&b, r); err != nil {
			return err
		}
	}
	b.WriteString("\n")
	for _, c := range v.Checks {
		status := "PASS"
		if !c.Pass {
			status = "FAIL"
		}
		fmt.Fprintf(&b, "%s: %s\n", status, c.Message)
	}
	if cpus := runnerCPUs(reports); cpus > 0 {
		fmt.Fprintf(&b, "Runner CPU: %.0f %% (of %d CPUs)\n", v.RunnerCPUPercent, cpus)
	}
	if v.Note != "" {
		fmt.Fprintf(&b, "NOTE: %s\n", v.Note)
	}
	if v.Pass {
		b.WriteString("PASS\n")
	} else {
		b.WriteString("FAIL\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func runnerCPUs(reports []*benchrunner.Report) int {
	for _, r := range reports {
		if r.Runner.CPUs > 0 {
			return r.Runner.CPUs
		}
	}
	return 0
}

// listProfiles prints the profiles, custom ones first.
func listProfiles(w io.Writer, custom []slo.Profile) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRUNS\tDESCRIPTION")
	seen := map[string]bool{}
	for _, p := range append(append([]slo.Profile{}, custom...), slo.Builtin()...) {
		if seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		runs := make([]string, len(p.Runs))
		for i, s := range p.Runs {
			runs[i] = s.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, strings.Join(runs, "; "), p.Description)
	}
	_ = tw.Flush()
}
