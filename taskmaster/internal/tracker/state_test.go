package tracker

import (
	"reflect"
	"testing"
	"time"
)

func TestReplayStampsStartedAndCompleted(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		want   Item
	}{
		{"never changed", nil, Item{Status: Pending}},
		{"started", []Event{status(1, 1, "task-1.2", "", Pending, InProgress)}, Item{Status: InProgress, Started: at(1)}},
		{"blocked and resumed keeps first start", []Event{
			status(1, 1, "task-1.2", "", Pending, InProgress),
			status(2, 2, "task-1.2", "", InProgress, Blocked),
			status(3, 3, "task-1.2", "", Blocked, InProgress),
		}, Item{Status: InProgress, Started: at(1)}},
		{"completed", []Event{
			status(1, 1, "task-1.2", "", Pending, InProgress),
			status(2, 5, "task-1.2", "", InProgress, Completed),
		}, Item{Status: Completed, Started: at(1), Completed: at(5)}},
		{"reopened clears completed", []Event{
			status(1, 1, "task-1.2", "", Pending, InProgress),
			status(2, 5, "task-1.2", "", InProgress, Completed),
			status(3, 6, "task-1.2", "", Completed, InProgress),
		}, Item{Status: InProgress, Started: at(1)}},
		{"back to pending clears started", []Event{
			status(1, 1, "task-1.2", "", Pending, InProgress),
			status(2, 2, "task-1.2", "", InProgress, Pending),
		}, Item{Status: Pending}},
		{"assigned", []Event{{Seq: 1, Time: at(0), Task: "task-1.2", Action: ActionAssign, Assignee: "Ann"}}, Item{Status: Pending, Assignee: "Ann"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Replay(tt.events).Item("task-1.2"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Item = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestStateSeparatesKeptIdsFromOrphans(t *testing.T) {
	s := Replay([]Event{
		status(1, 0, "task-1.2", "", Pending, InProgress),
		status(2, 0, "task-1.1", "task-1.1.2", Pending, Completed),
		status(3, 0, "task-4.4", "", Pending, Blocked),
	})
	p := testPlan(t)
	if got, want := s.Kept(p), []string{"task-1.1.2", "task-1.2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Kept = %v, want %v", got, want)
	}
	if got, want := s.Orphans(p), []string{"task-4.4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Orphans = %v, want %v", got, want)
	}
	var zero time.Time
	if s.Item("task-4.4").Started != zero || s.Item("task-4.4").Status != Blocked {
		t.Errorf("orphan state = %+v", s.Item("task-4.4"))
	}
}
