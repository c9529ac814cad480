package main

import (
	"fmt"
	"io"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

// record appends the change check makes, reading tasks.json under the same lock so that a
// concurrent init cannot change the plan between the check and the write.
func record(w *workspace, check func(*workspaceState) (tracker.Change, error)) (tracker.Change, error) {
	store := w.store()
	return store.Append(func(s tracker.State) (tracker.Change, error) {
		p, err := w.loadPlan()
		if err != nil {
			return tracker.Change{}, err
		}
		return check(&workspaceState{plan: p, state: s})
	})
}

func runUpdate(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 2, 3, "update <task-id> <status> [note]"); err != nil {
		return err
	}
	note := optional(args, 2)
	c, err := record(w, func(ws *workspaceState) (tracker.Change, error) {
		return tracker.UpdateTask(ws.plan, ws.state, args[0], args[1], note)
	})
	if err != nil {
		return err
	}
	e := c.Event
	fmt.Fprintf(stdout, "%s: %s → %s%s\n", e.Task, e.From, e.To, stampNote(e))
	return nil
}

func runUpdateSubtask(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 3, 4, "update-subtask <task-id> <subtask-id> <status> [note]"); err != nil {
		return err
	}
	note := optional(args, 3)
	c, err := record(w, func(ws *workspaceState) (tracker.Change, error) {
		return tracker.UpdateSubtask(ws.plan, ws.state, args[0], args[1], args[2], note)
	})
	if err != nil {
		return err
	}
	e := c.Event
	fmt.Fprintf(stdout, "%s: %s → %s%s\n", e.Subtask, e.From, e.To, stampNote(e))
	if c.AllSubtasksCompleted {
		fmt.Fprintf(stdout, "all subtasks of %s are completed; complete it with: taskmaster update %s completed\n", e.Task, e.Task)
	}
	return nil
}

func runAssign(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 2, 2, "assign <task-id> <name>"); err != nil {
		return err
	}
	c, err := record(w, func(ws *workspaceState) (tracker.Change, error) {
		return tracker.Assign(ws.plan, ws.state, args[0], args[1])
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: assigned to %s\n", c.Event.Task, c.Event.Assignee)
	return nil
}

func optional(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// stampNote says which timestamp a status change set.
func stampNote(e tracker.Event) string {
	switch e.To {
	case tracker.InProgress:
		if e.From == tracker.Pending {
			return " (started " + stamp(e.Time) + ")"
		}
	case tracker.Completed:
		return " (completed " + stamp(e.Time) + ")"
	}
	return ""
}
