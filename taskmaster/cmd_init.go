package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/prd"
	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/safefile"
	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

// generate parses the PRD at prdPath into an encoded plan.
func generate(prdPath string, opts plan.Options) (*plan.Plan, []byte, error) {
	src, err := os.ReadFile(prdPath)
	if err != nil {
		return nil, nil, fmt.Errorf("read PRD: %w", err)
	}
	opts.Source = filepath.ToSlash(prdPath)
	return planFromPRD(src, opts)
}

// planFromPRD parses PRD text into a plan and its tasks.json bytes; opts.Source names the PRD.
func planFromPRD(src []byte, opts plan.Options) (*plan.Plan, []byte, error) {
	doc, err := prd.Parse(src)
	if err != nil {
		return nil, nil, fmt.Errorf("parse PRD %s: %w", opts.Source, err)
	}
	p, err := plan.Build(doc, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("plan from PRD %s: %w", opts.Source, err)
	}
	data, err := plan.Encode(p)
	if err != nil {
		return nil, nil, err
	}
	return p, data, nil
}

func runInit(w *workspace, args []string, stdout io.Writer) error {
	if err := argCount(args, 0, 4, "init [prd-file] [output-file] [project-name] [version]"); err != nil {
		return err
	}
	in := []string{"PRD.md", w.tasksPath, "etcd-monitor", "1.0.0"}
	copy(in, args)
	prdPath, out := in[0], in[1]
	p, data, err := generate(prdPath, plan.Options{Project: in[2], Version: in[3]})
	if err != nil {
		return err
	}
	w.tasksPath = out
	store := w.store()
	var state tracker.State
	err = safefile.WithLock(filepath.Dir(store.Path), func() error {
		events, err := store.Load()
		if err != nil {
			return err
		}
		state = tracker.Replay(events)
		if filepath.Dir(out) != filepath.Dir(store.Path) {
			return safefile.WithLock(filepath.Dir(out), func() error { return safefile.WriteFile(out, data, 0o644) })
		}
		return safefile.WriteFile(out, data, 0o644)
	})
	if err != nil {
		return err
	}
	s := p.Summary
	fmt.Fprintf(stdout, "wrote %s from %s: %d phases, %d tasks, %d subtasks, %d estimated hours\n",
		out, prdPath, s.Phases, s.Tasks, s.Subtasks, s.EstimatedHours)
	if kept := state.Kept(p); len(kept) > 0 {
		fmt.Fprintf(stdout, "kept the state of %d ids: %s\n", len(kept), strings.Join(kept, ", "))
	}
	if gone := state.Orphans(p); len(gone) > 0 {
		fmt.Fprintf(stdout, "%d ids with state are no longer in the PRD (their history stays in %s): %s\n",
			len(gone), store.Path, strings.Join(gone, ", "))
	}
	return nil
}
