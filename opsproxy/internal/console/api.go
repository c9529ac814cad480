package console

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/jobqueue"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/usercap"
)

// Path is the console route.
const Path = "POST /api/v1/clusters/{cluster}/console"

// baseSpec is what a request is audited as when its line names no command it may run: a
// line that does not parse.
var baseSpec = core.OpSpec{Name: "console", Role: core.RoleViewer, Cluster: true}

// historyTimeout bounds the write of one history entry, made after the answer is decided.
const historyTimeout = 5 * time.Second

// Engine serves the console API: it parses a line, has it checked and audited as the
// operation it performs, runs it and answers what etcdctl would print.
type Engine struct {
	co *core.Core
	// history keeps each user's lines.
	history store.ConsoleHistoryStore
	// jobs runs defrag, snapshot save and check perf.
	jobs *jobqueue.Runtime
	// watchers counts each user's open watches, console watches with the Watch API's, under
	// limits.max_watches_per_user.
	watchers *usercap.Counter
}

// Register adds the console route to co; defrag, snapshot save and check perf are enqueued on
// jobs, and a console watch counts among the user's open watches in watchers. Lines are kept
// in the callers' history in co's store.
func Register(co *core.Core, jobs *jobqueue.Runtime, watchers *usercap.Counter) *Engine {
	e := &Engine{co: co, jobs: jobs, watchers: watchers, history: co.Store}
	co.HandleResolved(Path, baseSpec, e.resolve, writeError, e.serve)
	return e
}

// request is the console API's request body.
type request struct {
	Line *string `json:"line"`
}

// resolved is what resolve hands to serve.
type resolved struct {
	inv  *Invocation
	plan *plan
	// answer is set once the command ran.
	answer *Answer
}

// resolve reads the line and plans its command: the operation it is checked and audited as.
func (e *Engine) resolve(c *core.Call) (core.OpSpec, error) {
	var req request
	// A line of MaxLineBytes may double in size as JSON (escaped newlines and quotes).
	if err := apihttp.DecodeJSON(c.R, &req, 2*MaxLineBytes+1024); err != nil {
		return baseSpec, withExit(ExitError, err)
	}
	if req.Line == nil {
		return baseSpec, badRequest(ExitError, "line: required")
	}
	line := *req.Line
	if len(line) > MaxLineBytes {
		return baseSpec, withExit(ExitError, apihttp.Errorf(http.StatusRequestEntityTooLarge, "line: %d bytes, at most %d", len(line), MaxLineBytes))
	}
	c.Rec.Command = unparsedCommand(line)
	e.keepHistory(c, line)
	inv, err := Parse(line)
	if err != nil {
		return baseSpec, err
	}
	p, err := planners[inv.Path](e, inv)
	if err != nil {
		return baseSpec, err
	}
	c.Rec.Command = p.command
	if unsupportedFormat(inv.Format, inv.Path) {
		return baseSpec, badRequest(ExitBadFeature, "%s not supported as output format", inv.Format)
	}
	c.Data = &resolved{inv: inv, plan: p}
	return p.spec, nil
}

// unparsedCommand is what is recorded of a line the console could not plan: its command name
// when it has one, and its size, but none of its other words, which may hold a value.
func unparsedCommand(line string) string {
	// Split on blanks only: the line may not split as a shell would, and only words that
	// name a command (fixed strings of the grammar) are kept.
	first, _, _ := strings.Cut(line, "\n")
	name := "<unparsed>"
	if cmd, n := Lookup(strings.Fields(first)); cmd != nil {
		name = strings.Join(strings.Fields(first)[:n], " ")
	}
	return name + " " + redacted(line)
}

// serve runs a planned command.
func (e *Engine) serve(c *core.Call) (any, error) {
	r := c.Data.(*resolved)
	x := newExecution(e, c, r.inv)
	ctx, cancel := context.WithTimeout(c.R.Context(), r.inv.Timeout)
	defer cancel()
	x.ctx = ctx
	a, err := x.outcome(r.plan)
	r.answer = a
	return a, err
}

// keepHistory appends the line to the caller's history once its outcome is known: as typed
// when the caller keeps values, else as audited (c.Rec.Command: values redacted, a line that
// did not parse reduced to its command name and size). The write goes on after the answer,
// bounded by historyTimeout, so the history store adds nothing to a command's round trip; a
// failure is logged.
func (e *Engine) keepHistory(c *core.Call, line string) {
	if c.P == nil {
		return
	}
	user, cluster, start := c.P.User, c.Rec.Cluster, c.Started()
	c.OnFinish(func(err error) {
		entry := store.ConsoleEntry{User: user, Cluster: cluster, Line: c.Rec.Command, Time: start,
			Duration: time.Since(start)}
		switch r, _ := c.Data.(*resolved); {
		case r != nil && r.answer != nil:
			entry.ExitCode = r.answer.ExitCode
		case err != nil:
			entry.ExitCode = ExitCodeOf(err)
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(c.R.Context()), historyTimeout)
			defer cancel()
			settings, serr := e.history.ConsoleSettings(ctx, user)
			if serr == nil && settings.KeepValues {
				entry.Line = line
			}
			if _, aerr := e.history.AppendConsoleEntry(ctx, entry); aerr != nil {
				e.co.Logger.Warn("console history not kept", "request_id", apihttp.RequestID(c.R.Context()), "user", user, "err", aerr)
			}
		}()
	})
}
