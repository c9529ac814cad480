package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

// statusMarks are the boxes status shows in front of a task.
var statusMarks = map[string]string{
	tracker.Pending:    "[ ]",
	tracker.InProgress: "[~]",
	tracker.Completed:  "[x]",
	tracker.Blocked:    "[!]",
}

func runStatus(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 0, 0, "status (no arguments)"); err != nil {
		return err
	}
	p, state, _, err := w.load()
	if err != nil {
		return err
	}
	pr := tracker.Measure(p, state)
	fmt.Fprintf(stdout, "%s %s: %d/%d tasks completed (%.1f%%), %d/%d subtasks, %d of %d estimated hours done\n",
		p.Project, p.Version, pr.Tasks.Completed, pr.TotalTasks, pr.CompletionPercent,
		pr.Subtasks.ByStatus.Completed, pr.Subtasks.Total, pr.Hours.Done, pr.Hours.Estimated)
	for i, ph := range p.Phases {
		weeks := ""
		if ph.Weeks != "" {
			weeks = " (weeks " + ph.Weeks + ")"
		}
		fmt.Fprintf(stdout, "\nPhase %d: %s%s — %d/%d tasks completed (%.1f%%)\n",
			ph.Number, ph.Name, weeks, pr.Phases[i].Completed, pr.Phases[i].Tasks, pr.Phases[i].CompletionPercent)
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, t := range ph.Tasks {
			it := state.Item(t.ID)
			done := 0
			for _, st := range t.Subtasks {
				if state.Item(st.ID).Status == tracker.Completed {
					done++
				}
			}
			assignee := "-"
			if it.Assignee != "" {
				assignee = "@" + it.Assignee
			}
			fmt.Fprintf(tw, "  %s %s\t%s\t%s\t%dh\t%d/%d\t%s\t%s\n", statusMarks[it.Status], t.ID, it.Status,
				t.Priority, t.EstimatedHours, done, len(t.Subtasks), assignee, t.Title)
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write status: %w", err)
		}
	}
	if gone := state.Orphans(p); len(gone) > 0 {
		fmt.Fprintf(stdout, "\nstate kept for ids no longer in %s: %s\n", w.tasksPath, strings.Join(gone, ", "))
	}
	return nil
}
