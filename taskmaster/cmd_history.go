package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

// defaultHistory is how many changes history shows without an argument.
const defaultHistory = 20

func runHistory(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 0, 1, "history [n]"); err != nil {
		return err
	}
	n := defaultHistory
	if len(args) == 1 {
		v, err := strconv.Atoi(args[0])
		if err != nil || v < 1 {
			return usagef("history: n must be a positive whole number, got %q", args[0])
		}
		n = v
	}
	events, err := w.store().Load()
	if err != nil {
		return err
	}
	if len(events) == 0 {
		fmt.Fprintf(stdout, "no state changes recorded yet in %s\n", w.store().Path)
		return nil
	}
	if n < len(events) {
		events = events[len(events)-n:]
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, e := range events {
		change := e.From + " → " + e.To
		if e.Action == tracker.ActionAssign {
			change = "assigned to " + e.Assignee
		}
		fmt.Fprintf(tw, "#%d\t%s\t%s\t%s", e.Seq, stamp(e.Time), e.ID(), change)
		if e.Note != "" {
			fmt.Fprintf(tw, "\t%s", strconv.Quote(e.Note))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	return nil
}
