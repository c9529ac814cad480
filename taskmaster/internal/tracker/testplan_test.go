package tracker

import (
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/prd"
)

// testPlan has task-1.1 with subtasks task-1.1.1 and task-1.1.2 (4h each), and task-1.2
// without subtasks (8h).
func testPlan(t *testing.T) *plan.Plan {
	t.Helper()
	doc := &prd.Document{Phases: []prd.Phase{{Number: 1, Name: "MVP", Features: []prd.Feature{
		{Title: "A", Line: 1, Requirements: []prd.Requirement{{Title: "a1", Line: 2}, {Title: "a2", Line: 3}}},
		{Title: "B", Line: 4},
	}}}}
	p, err := plan.Build(doc, plan.Options{Project: "x", Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// at is a fixed instant, minutes after a fixed epoch.
func at(minute int) time.Time {
	return time.Date(2025, 10, 13, 9, minute, 0, 0, time.UTC)
}

// status is a status event for tests.
func status(seq, minute int, task, sub, from, to string) Event {
	return Event{Seq: seq, Time: at(minute), Task: task, Subtask: sub, Action: ActionStatus, From: from, To: to}
}
