package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage: taskmaster [--tasks FILE] [--state FILE] <command> [arguments]

commands:
  init [prd-file] [output-file] [project-name] [version]
                      parse a Markdown PRD into tasks.json (defaults: PRD.md tasks.json etcd-monitor 1.0.0)
  status              all tasks by phase with status, priority and progress
  progress            progress statistics as JSON
  details <task-id>   one task with its subtasks and timestamps
  update <task-id> <status> [note]
  update-subtask <task-id> <subtask-id> <status> [note]
  assign <task-id> <name>
  history [n]         the last n state changes (default 20)
  overview            the README's project overview section, from tasks.json

statuses: pending, in_progress, completed, blocked
flags:
  --tasks FILE        the plan (default tasks.json)
  --state FILE        the state history (default: the plan's name with .state.json)
`

// usageError is a mistake in how taskmaster was called; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command runs one subcommand.
type command func(w *workspace, args []string, stdout io.Writer) error

var commands = map[string]command{
	"init":           runInit,
	"status":         runStatus,
	"progress":       runProgress,
	"details":        runDetails,
	"update":         runUpdate,
	"update-subtask": runUpdateSubtask,
	"assign":         runAssign,
	"history":        runHistory,
	"overview":       runOverview,
}

// run is taskmaster's main: it returns 0 on success, 1 when the command failed and 2 when
// it was called wrongly.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("taskmaster", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	tasks := fs.String("tasks", "tasks.json", "")
	state := fs.String("state", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return 0
		}
		fmt.Fprintf(stderr, "taskmaster: %v\n\n%s", err, usage)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "taskmaster: no command given\n\n%s", usage)
		return 2
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	if name == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "taskmaster: unknown command %q\n\n%s", name, usage)
		return 2
	}
	w := &workspace{tasksPath: *tasks, statePath: *state, stateSet: *state != ""}
	if err := cmd(w, rest, stdout); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "taskmaster %s: %v\n\n%s", name, err, usage)
			return 2
		}
		fmt.Fprintf(stderr, "taskmaster %s: %v\n", name, err)
		return 1
	}
	return 0
}

// argCount checks that a command got between min and max arguments.
func argCount(args []string, min, max int, form string) error {
	if len(args) < min || len(args) > max {
		return usagef("want %s, got %d argument(s): %s", form, len(args), strings.Join(args, " "))
	}
	return nil
}
