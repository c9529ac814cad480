package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

// workspace is the plan and state files a command works on.
type workspace struct {
	tasksPath string
	statePath string
	// stateSet is true when --state was given.
	stateSet bool
}

// workspaceState is a plan with its replayed state.
type workspaceState struct {
	plan  *plan.Plan
	state tracker.State
}

// store returns the state history that belongs to the plan at w.tasksPath.
func (w *workspace) store() *tracker.Store {
	path := w.statePath
	if !w.stateSet {
		path = strings.TrimSuffix(w.tasksPath, ".json") + ".state.json"
	}
	return &tracker.Store{Path: path}
}

// loadPlan reads and checks tasks.json.
func (w *workspace) loadPlan() (*plan.Plan, error) {
	data, err := os.ReadFile(w.tasksPath)
	if err != nil {
		return nil, fmt.Errorf("read tasks file (run taskmaster init to create it): %w", err)
	}
	p, err := plan.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("corrupt tasks file %s (run taskmaster init to regenerate it): %w", w.tasksPath, err)
	}
	return p, nil
}

// load reads the plan and the replayed state.
func (w *workspace) load() (*plan.Plan, tracker.State, []tracker.Event, error) {
	p, err := w.loadPlan()
	if err != nil {
		return nil, tracker.State{}, nil, err
	}
	events, err := w.store().Load()
	if err != nil {
		return nil, tracker.State{}, nil, err
	}
	return p, tracker.Replay(events), events, nil
}
