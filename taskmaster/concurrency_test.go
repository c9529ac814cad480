package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/tracker"
)

// TestConcurrentProcessesLoseNoUpdates runs many taskmaster processes at once — updates,
// assignments and re-inits of the same files — and checks that every change is in the
// history exactly once, numbered without gaps, and that no temporary file is left.
func TestConcurrentProcessesLoseNoUpdates(t *testing.T) {
	dir := initialised(t)
	tasksBefore, err := os.ReadFile(filepath.Join(dir, "tasks.json"))
	if err != nil {
		t.Fatal(err)
	}
	const assigners = 24
	var cmds [][]string
	for i := 0; i < assigners; i++ {
		cmds = append(cmds, []string{"assign", "task-1.2", fmt.Sprintf("worker-%02d", i)})
	}
	cmds = append(cmds,
		[]string{"update", "task-1.1", "in_progress", "from a process"},
		[]string{"update-subtask", "task-2.1", "task-2.1.1", "completed"},
		[]string{"init"}, []string{"init"}, []string{"init"}, []string{"init"},
	)
	var wg sync.WaitGroup
	errs := make(chan error, len(cmds))
	for _, args := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := taskmasterCmd(t, dir, args...).CombinedOutput(); err != nil {
				errs <- fmt.Errorf("taskmaster %v: %w: %s", args, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	events, err := (&tracker.Store{Path: filepath.Join(dir, "tasks.state.json")}).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != assigners+2 {
		t.Fatalf("history holds %d events, want %d", len(events), assigners+2)
	}
	var names []string
	for i, e := range events {
		if e.Seq != i+1 {
			t.Fatalf("event %d has seq %d", i+1, e.Seq)
		}
		if e.Action == tracker.ActionAssign {
			names = append(names, e.Assignee)
		}
	}
	slices.Sort(names)
	for i, n := range names {
		if want := fmt.Sprintf("worker-%02d", i); n != want {
			t.Fatalf("assignments %v lack %s", names, want)
		}
	}
	tasksAfter, err := os.ReadFile(filepath.Join(dir, "tasks.json"))
	if err != nil || string(tasksAfter) != string(tasksBefore) {
		t.Errorf("tasks.json changed under concurrent inits of the same PRD (err %v)", err)
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"PRD.md", "tasks.json", "tasks.state.json"}) {
		t.Errorf("directory holds %v, want no temporary files", got)
	}
}
