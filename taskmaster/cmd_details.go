package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

// stamp formats a timestamp for people; "-" when unset.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runDetails(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 1, 1, "details <task-id>"); err != nil {
		return err
	}
	p, state, _, err := w.load()
	if err != nil {
		return err
	}
	id := args[0]
	t, ph, ok := p.Task(id)
	if !ok {
		return tracker.TaskNotFound(id)
	}
	it := state.Item(id)
	fmt.Fprintf(stdout, "%s: %s\n", t.ID, t.Title)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Phase:\t%d %s\n", ph.Number, ph.Name)
	fmt.Fprintf(tw, "Description:\t%s\n", orDash(t.Description))
	fmt.Fprintf(tw, "Status:\t%s\n", it.Status)
	fmt.Fprintf(tw, "Priority:\t%s\n", t.Priority)
	fmt.Fprintf(tw, "Estimated hours:\t%d\n", t.EstimatedHours)
	fmt.Fprintf(tw, "Assignee:\t%s\n", orDash(it.Assignee))
	fmt.Fprintf(tw, "Started:\t%s\n", stamp(it.Started))
	fmt.Fprintf(tw, "Completed:\t%s\n", stamp(it.Completed))
	fmt.Fprintf(tw, "PRD line:\t%d\n", t.SourceLine)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write details: %w", err)
	}
	done := 0
	for _, st := range t.Subtasks {
		if state.Item(st.ID).Status == tracker.Completed {
			done++
		}
	}
	fmt.Fprintf(stdout, "\nSubtasks (%d/%d completed):\n", done, len(t.Subtasks))
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, st := range t.Subtasks {
		sit := state.Item(st.ID)
		fmt.Fprintf(tw, "  %s\t%s\t%dh\t%s\tstarted %s\tcompleted %s\n", st.ID, sit.Status, st.EstimatedHours, st.Title,
			stamp(sit.Started), stamp(sit.Completed))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write details: %w", err)
	}
	return nil
}
