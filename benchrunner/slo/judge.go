package slo

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/benchrunner"
)

// GeneratorSaturation is the share of the runner's CPUs above which the load generator itself
// may have limited a run: the cluster was then not given the load the profile asks for, or the
// latencies include the generator's own queueing.
const GeneratorSaturation = 0.85

// Verdict is a profile's outcome over its runs.
type Verdict struct {
	Pass    bool    `json:"pass"`
	Profile string  `json:"profile"`
	Checks  []Check `json:"checks"`
	// RunnerCPUPercent is the highest CPU use of the load generator over the runs, as
	// benchrunner.Runner.CPUPercent counts it (100 per CPU).
	RunnerCPUPercent float64 `json:"runner_cpu_percent"`
	// GeneratorLimited is set when that use was above GeneratorSaturation of the runner's CPUs.
	GeneratorLimited bool `json:"generator_limited"`
	// Note says what the reader should know beside the checks (a saturated generator).
	Note string `json:"note,omitempty"`
}

// Check is one rule applied to one run.
type Check struct {
	// Rule names the rule and, when the profile has several runs, the run: "throughput",
	// "p99 (run 2: range)".
	Rule string `json:"rule"`
	Pass bool   `json:"pass"`
	// Want is the rule's bound and Got the measured figure, in Unit ("req/s", "s", "errors").
	Want float64 `json:"want"`
	Got  float64 `json:"got"`
	Unit string  `json:"unit"`
	// Message says it in words, with the shortfall when the rule failed:
	// "throughput 812/s < 900/s (90 % of 1000/s): short by 9.8 %".
	Message string `json:"message"`
}

// Judge applies p's rules to reports, the outcomes of p.Runs in order. A missing or partial
// run fails the verdict.
func Judge(p Profile, reports []*benchrunner.Report) Verdict {
	v := Verdict{Profile: p.Name}
	several := len(p.Runs) > 1
	cpus := 0
	for i, step := range p.Runs {
		label := func(rule string) string {
			if several {
				return fmt.Sprintf("%s (run %d: %s)", rule, i+1, step.Command)
			}
			return rule
		}
		if i >= len(reports) || reports[i] == nil {
			v.Checks = append(v.Checks, Check{Rule: label("complete"), Unit: "runs", Want: 1,
				Message: fmt.Sprintf("run %d (%s) did not run", i+1, step.Command)})
			continue
		}
		r := reports[i]
		if r.Runner.CPUPercent > v.RunnerCPUPercent {
			v.RunnerCPUPercent, cpus = r.Runner.CPUPercent, r.Runner.CPUs
		}
		if r.Partial {
			v.Checks = append(v.Checks, Check{Rule: label("complete"), Unit: "runs", Want: 1,
				Message: fmt.Sprintf("run %d (%s) stopped early after %d requests: %s", i+1, step.Command, r.Requests, r.Reason)})
		}
		for _, c := range judgeRun(p.Rules, step, r) {
			c.Rule = label(c.Rule)
			v.Checks = append(v.Checks, c)
		}
	}
	v.Pass = len(v.Checks) > 0
	for _, c := range v.Checks {
		v.Pass = v.Pass && c.Pass
	}
	if cpus > 0 && v.RunnerCPUPercent > GeneratorSaturation*100*float64(cpus) {
		v.GeneratorLimited = true
		v.Note = fmt.Sprintf("the load generator used %.0f %% CPU of its %d CPUs (%.0f %% of the machine): it may have been the limit, not the cluster; run it from a larger machine or closer to the profile's needs",
			v.RunnerCPUPercent, cpus, v.RunnerCPUPercent/float64(cpus))
	}
	return v
}

// judgeRun applies the rules to one run.
func judgeRun(rules Rules, step Step, r *benchrunner.Report) []Check {
	var out []Check
	if rules.MinThroughputRatio > 0 && step.Rate() > 0 {
		want := rules.MinThroughputRatio * step.Rate()
		c := Check{Rule: "throughput", Want: want, Got: r.Throughput, Unit: "req/s", Pass: r.Throughput > want}
		bound := fmt.Sprintf("%s/s (%s %% of %s/s)", formatNumber(want), formatNumber(rules.MinThroughputRatio*100), formatNumber(step.Rate()))
		if c.Pass {
			c.Message = fmt.Sprintf("throughput %s/s > %s", formatNumber(r.Throughput), bound)
		} else {
			op := "<"
			if r.Throughput == want {
				op = "=" // check perf wants more than the share, so reaching it exactly fails
			}
			c.Message = fmt.Sprintf("throughput %s/s %s %s: short by %s %%", formatNumber(r.Throughput), op, bound, formatNumber(shortfall(want, r.Throughput)))
		}
		out = append(out, c)
	}
	if rules.MinThroughput > 0 {
		want := rules.MinThroughput
		c := Check{Rule: "min throughput", Want: want, Got: r.Throughput, Unit: "req/s", Pass: r.Throughput >= want}
		if c.Pass {
			c.Message = fmt.Sprintf("throughput %s/s ≥ %s/s", formatNumber(r.Throughput), formatNumber(want))
		} else {
			c.Message = fmt.Sprintf("throughput %s/s < %s/s: short by %s %%", formatNumber(r.Throughput), formatNumber(want), formatNumber(shortfall(want, r.Throughput)))
		}
		out = append(out, c)
	}
	if rules.MaxSlowest > 0 {
		out = append(out, latencyCheck("slowest", rules.MaxSlowest, r.Latency.Slowest))
	}
	if rules.MaxStddev > 0 {
		out = append(out, latencyCheck("stddev", rules.MaxStddev, r.Latency.Stddev))
	}
	if rules.MaxP99 > 0 {
		out = append(out, latencyCheck("p99", rules.MaxP99, r.Latency.Percentiles["99"]))
	}
	if rules.MaxErrors >= 0 {
		out = append(out, errorCheck(rules.MaxErrors, r.Errors))
	}
	return out
}

// latencyCheck bounds a latency figure (seconds) from above.
func latencyCheck(rule string, limit time.Duration, got float64) Check {
	want := limit.Seconds()
	c := Check{Rule: rule, Want: want, Got: got, Unit: "s", Pass: got <= want}
	if c.Pass {
		c.Message = fmt.Sprintf("%s %s ≤ %s", rule, formatSeconds(got), formatSeconds(want))
	} else {
		c.Message = fmt.Sprintf("%s %s > %s: over by %s", rule, formatSeconds(got), formatSeconds(want), overBy(got, want))
	}
	return c
}

// errorCheck bounds the failed requests, naming the most frequent errors when it fails.
func errorCheck(limit int64, errs map[string]int64) Check {
	var total int64
	texts := make([]string, 0, len(errs))
	for text, n := range errs {
		total += n
		texts = append(texts, text)
	}
	c := Check{Rule: "errors", Want: float64(limit), Got: float64(total), Unit: "errors", Pass: total <= limit}
	if c.Pass {
		c.Message = fmt.Sprintf("errors %d ≤ %d", total, limit)
		return c
	}
	sort.Slice(texts, func(i, j int) bool {
		if errs[texts[i]] != errs[texts[j]] {
			return errs[texts[i]] > errs[texts[j]]
		}
		return texts[i] < texts[j]
	})
	if len(texts) > 3 {
		texts = texts[:3]
	}
	for i, t := range texts {
		texts[i] = fmt.Sprintf("%d× %q", errs[t], t)
	}
	c.Message = fmt.Sprintf("errors %d > %d: %s", total, limit, strings.Join(texts, ", "))
	return c
}

// overBy says how far got exceeds want: in percent up to ten times, then as a multiple.
func overBy(got, want float64) string {
	if got >= 10*want {
		return formatNumber(got/want) + "× the limit"
	}
	return formatNumber(100*(got-want)/want) + " %"
}

// shortfall is how far got falls below want, in percent of want.
func shortfall(want, got float64) float64 {
	if want == 0 {
		return 0
	}
	return 100 * (want - got) / want
}

// formatNumber prints a figure with at most one decimal, without a trailing ".0".
func formatNumber(x float64) string {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return fmt.Sprint(x)
	}
	return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64)
}

// formatSeconds prints seconds as a duration rounded to a readable precision: "412ms", "1.2s".
func formatSeconds(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d >= time.Microsecond:
		return d.Round(time.Microsecond).String()
	}
	return d.String()
}
