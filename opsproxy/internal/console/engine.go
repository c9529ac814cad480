package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// plan is a parsed command ready to run: the operation it is checked and audited as, and how
// it runs.
type plan struct {
	spec core.OpSpec
	// command is the line as audited and kept in history: put values redacted.
	command string
	run     func(x *execution) error
}

// planner checks a command's arguments and flags (etcdctl's checks, with its messages and
// exit codes) and plans it.
type planner func(e *Engine, inv *Invocation) (*plan, error)

// planners are the commands the console runs, by Invocation.Path.
var planners map[string]planner

func init() {
	// Assigned here, not in the declaration: the planners refer to the engine, whose
	// methods refer to the table.
	planners = map[string]planner{
		"get": planGet, "put": planPut, "del": planDel, "txn": planTxn,
		"watch": planWatch, "compaction": planCompaction, "move-leader": planMoveLeader, "version": planVersion,
		"lease grant": planLeaseGrant, "lease revoke": planLeaseRevoke, "lease timetolive": planLeaseTimeToLive,
		"lease list": planLeaseList, "lease keep-alive": planLeaseKeepAlive,
		"member list": planMemberList, "member add": planMemberAdd, "member remove": planMemberRemove,
		"member promote":  planMemberPromote,
		"endpoint health": planEndpointHealth, "endpoint status": planEndpointStatus, "endpoint hashkv": planEndpointHashKV,
		"alarm list": planAlarmList, "alarm disarm": planAlarmDisarm,
		"snapshot status": planSnapshotStatus, "snapshot save": planSnapshotSave, "defrag": planDefrag,
		"check perf": planCheckPerf,
	}
}

// execution is one command running for a call: what it prints and the result it gives.
type execution struct {
	e   *Engine
	c   *core.Call
	inv *Invocation
	ctx context.Context
	// stdout and stderr are what etcdctl would print; results collects the lines of JSON
	// etcdctl -w json would print.
	stdout, stderr, results bytes.Buffer
	display, json           printer
	job                     *store.Job
	// exitCode is set by commands that end with a code but no error (etcdctl's os.Exit).
	exitCode int
}

// show prints a result with the display printer and, for the answer's result, the JSON one.
func (x *execution) show(print func(p printer)) {
	print(x.display)
	if x.json != x.display {
		print(x.json)
	}
}

// result is the JSON etcdctl -w json would print: one value, or an array of the values it
// printed line by line (watch); nil when it printed none.
func (x *execution) result() json.RawMessage {
	lines := bytes.Split(bytes.TrimSpace(x.results.Bytes()), []byte("\n"))
	switch {
	case len(lines) == 1 && len(lines[0]) == 0:
		return nil
	case len(lines) == 1 && x.inv.Path != "watch":
		return lines[0]
	}
	return append(append([]byte("["), bytes.Join(lines, []byte(","))...), ']')
}

// newExecution prepares the printers of inv's output format.
func newExecution(e *Engine, c *core.Call, inv *Invocation) *execution {
	x := &execution{e: e, c: c, inv: inv}
	if inv.Format == "json" {
		// One printer: the answer's result is what stdout holds.
		x.display = newJSONPrinter(inv.Hex, teeWriter{&x.stdout, &x.results})
		x.json = x.display
		return x
	}
	x.display = newPrinter(inv.Format, inv.Hex, &x.stdout, &x.stderr)
	x.json = newJSONPrinter(inv.Hex, &x.results)
	return x
}

// teeWriter writes to both of its buffers.
type teeWriter struct{ a, b *bytes.Buffer }

func (t teeWriter) Write(p []byte) (int, error) {
	t.a.Write(p)
	return t.b.Write(p)
}

// Answer is the console API's answer to a command that was allowed and ran.
type Answer struct {
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	ExitCode int    `json:"exit_code"`
	// Result is the object etcdctl -w json prints for the command, whatever -w was asked.
	Result    json.RawMessage `json:"result"`
	Operation string          `json:"operation"`
	Format    string          `json:"format"`
	Job       *store.Job      `json:"job"`
	Duration  int64           `json:"duration_ns"`
}

// outcome runs the plan and makes the answer. Refusals (RBAC, sizes, an audit log that cannot
// take the attempt) are errors of the API; what etcd answers, errors included, is printed as
// etcdctl prints it, with its exit code.
func (x *execution) outcome(p *plan) (*Answer, error) {
	err := p.run(x)
	var ae *apihttp.Error
	if errors.As(err, &ae) {
		return nil, err
	}
	code := x.exitCode
	if err != nil {
		// etcd's errors end etcdctl with ExitError unless the command chose another code.
		code = ExitError
		var ee *exitError
		var se *silentExit
		switch {
		case errors.As(err, &ee):
			code = ee.code
			fmt.Fprintln(&x.stderr, "Error:", err)
		case errors.As(err, &se):
			code = se.code
		default:
			fmt.Fprintln(&x.stderr, "Error:", err)
		}
		x.c.RecordFailure(err)
	} else if code != 0 {
		x.c.RecordFailure(fmt.Errorf("%s exited with code %d", x.inv.Path, code))
	}
	stdout, result := x.bounded()
	return &Answer{
		Stdout: stdout, Stderr: x.stderr.String(), ExitCode: code, Result: result,
		Operation: p.spec.Name, Format: x.inv.Format, Job: x.job,
		Duration: int64(time.Since(x.c.Started())),
	}, nil
}

// MaxOutputBytes bounds what one answer carries of stdout and of the JSON result each: past it,
// stdout is cut and the result left out, each with a line on stderr saying so (narrow the
// command with --limit, --keys-only or a smaller range).
const MaxOutputBytes = 8 << 20

// bounded is stdout and the result, each within MaxOutputBytes.
func (x *execution) bounded() (string, json.RawMessage) {
	stdout := x.stdout.String()
	if len(stdout) > MaxOutputBytes {
		stdout = stdout[:MaxOutputBytes]
		fmt.Fprintf(&x.stderr, "console: output cut at %d bytes (narrow the command: --limit, --keys-only, a smaller range)\n", MaxOutputBytes)
	}
	result := x.result()
	if len(result) > MaxOutputBytes {
		result = nil
		fmt.Fprintf(&x.stderr, "console: result left out: over %d bytes\n", MaxOutputBytes)
	}
	return stdout, result
}

// silentExit ends a command with an exit code and no "Error:" line, as etcdctl does where it
// printed its errors already (endpoint status).
type silentExit struct{ code int }

func (s *silentExit) Error() string { return fmt.Sprintf("exit code %d", s.code) }

// quoteWord quotes s for a shell when it needs quoting, so a recorded command line reads as
// it was typed.
func quoteWord(s string) string {
	if s == "" {
		return "''"
	}
	plain := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-/.:=@%+,^", r)) {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// redacted names a value without showing it.
func redacted(v string) string { return fmt.Sprintf("<redacted %d bytes>", len(v)) }
