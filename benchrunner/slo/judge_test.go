package slo

import (
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

func report(throughput, slowest, stddev, p99 float64) *benchrunner.Report {
	return &benchrunner.Report{
		Command: "put", Throughput: throughput, Requests: 1000,
		Latency: benchrunner.Distribution{Slowest: slowest, Stddev: stddev, Percentiles: map[string]float64{"99": p99}},
		Runner:  benchrunner.Runner{CPUs: 2, CPUPercent: 40},
	}
}

func checkNamed(t *testing.T, v Verdict, rule string) Check {
	t.Helper()
	for _, c := range v.Checks {
		if c.Rule == rule {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", rule, v.Checks)
	return Check{}
}

func TestJudgePassesCheckPerfsRules(t *testing.T) {
	p, _ := Lookup("m", nil)
	v := Judge(p, []*benchrunner.Report{report(990, 0.2, 0.01, 0.05)})
	if !v.Pass || v.Profile != "m" || len(v.Checks) != 4 || v.GeneratorLimited {
		t.Fatalf("verdict %+v", v)
	}
	if c := checkNamed(t, v, "throughput"); c.Message != "throughput 990/s > 900/s (90 % of 1000/s)" {
		t.Errorf("message %q", c.Message)
	}
}

func TestJudgeSaysWhichRuleFailedAndByHowMuch(t *testing.T) {
	p, _ := Lookup("m", nil)
	r := report(812, 0.75, 0.12, 0.3)
	r.Errors = map[string]int64{"context deadline exceeded": 3, "etcdserver: too many requests": 5}
	v := Judge(p, []*benchrunner.Report{r})
	if v.Pass {
		t.Fatal("should fail")
	}
	for rule, want := range map[string]string{
		"throughput": "throughput 812/s < 900/s (90 % of 1000/s): short by 9.8 %",
		"slowest":    "slowest 750ms > 500ms: over by 50 %",
		"stddev":     "stddev 120ms > 100ms: over by 20 %",
		"errors":     `errors 8 > 0: 5× "etcdserver: too many requests", 3× "context deadline exceeded"`,
	} {
		c := checkNamed(t, v, rule)
		if c.Pass || c.Message != want {
			t.Errorf("%s: pass %v, message %q, want %q", rule, c.Pass, c.Message, want)
		}
	}
	if c := checkNamed(t, v, "throughput"); c.Want != 900 || c.Got != 812 || c.Unit != "req/s" {
		t.Errorf("throughput figures %+v", c)
	}
}

// TestJudgeThroughputMustExceedTheShare: check perf fails at exactly 90 % (RPS/limit <= 0.9).
func TestJudgeThroughputMustExceedTheShare(t *testing.T) {
	p, _ := Lookup("s", nil)
	c := checkNamed(t, Judge(p, []*benchrunner.Report{report(135, 0.1, 0.01, 0.01)}), "throughput")
	if c.Pass || !strings.Contains(c.Message, "= 135/s") {
		t.Errorf("exactly 90 %%: %+v", c)
	}
}

func TestJudgeNamesTheRunOfAMultiRunProfile(t *testing.T) {
	p, _ := Lookup("k8s-large", nil)
	v := Judge(p, []*benchrunner.Report{report(19900, 0.2, 0.01, 0.02), report(39000, 0.3, 0.02, 0.25)})
	if v.Pass {
		t.Fatal("the reads' p99 is over 100 ms")
	}
	if c := checkNamed(t, v, "p99 (run 2: range)"); c.Pass || c.Message != "p99 250ms > 100ms: over by 150 %" {
		t.Errorf("p99 check %+v", c)
	}
	if c := checkNamed(t, v, "p99 (run 1: put)"); !c.Pass {
		t.Errorf("the writes' p99 passed: %+v", c)
	}
}

func TestJudgeFailsMissingAndPartialRuns(t *testing.T) {
	p, _ := Lookup("k8s-large", nil)
	partial := report(20000, 0.1, 0.01, 0.01)
	partial.Partial, partial.Reason = true, "interrupted: context canceled"
	v := Judge(p, []*benchrunner.Report{partial})
	if v.Pass {
		t.Fatal("a partial run and a missing one must fail")
	}
	if c := checkNamed(t, v, "complete (run 1: put)"); c.Pass || !strings.Contains(c.Message, "stopped early after 1000 requests: interrupted") {
		t.Errorf("partial: %+v", c)
	}
	if c := checkNamed(t, v, "complete (run 2: range)"); c.Pass || c.Message != "run 2 (range) did not run" {
		t.Errorf("missing: %+v", c)
	}
	if v := Judge(Profile{Name: "none"}, nil); v.Pass {
		t.Error("a verdict without checks must not pass")
	}
}

func TestJudgeSaysWhenTheGeneratorWasTheLimit(t *testing.T) {
	p, _ := Lookup("s", nil)
	r := report(100, 0.1, 0.01, 0.01)
	r.Runner.CPUPercent = 180 // of 2 CPUs: 90 %
	v := Judge(p, []*benchrunner.Report{r})
	if !v.GeneratorLimited || v.RunnerCPUPercent != 180 || !strings.Contains(v.Note, "180 % CPU of its 2 CPUs (90 % of the machine)") {
		t.Errorf("verdict %+v", v)
	}
	r.Runner.CPUPercent = 160 // 80 %
	if v := Judge(p, []*benchrunner.Report{r}); v.GeneratorLimited || v.Note != "" {
		t.Errorf("80 %% is not saturation: %+v", v)
	}
}

func TestJudgeOptionalRules(t *testing.T) {
	p := Profile{Name: "own", Runs: []Step{{Command: "put"}}, Rules: Rules{MinThroughput: 500, MaxP99: 20 * time.Millisecond, MaxErrors: -1}}
	r := report(400, 2, 1, 0.01)
	r.Errors = map[string]int64{"x": 9}
	v := Judge(p, []*benchrunner.Report{r})
	if len(v.Checks) != 2 {
		t.Fatalf("checks %+v: want min throughput and p99 only (errors off, no rate for a ratio)", v.Checks)
	}
	if c := checkNamed(t, v, "min throughput"); c.Pass || c.Message != "throughput 400/s < 500/s: short by 20 %" {
		t.Errorf("min throughput %+v", c)
	}
}
