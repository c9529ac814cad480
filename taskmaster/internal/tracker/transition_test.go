package tracker

import "testing"

func TestUpdateTaskAllowsAndRefusesTransitions(t *testing.T) {
	p := testPlan(t)
	bothDone := []Event{
		status(1, 0, "task-1.1", "", Pending, InProgress),
		status(2, 1, "task-1.1", "task-1.1.1", Pending, Completed),
		status(3, 2, "task-1.1", "task-1.1.2", Pending, Completed),
	}
	tests := []struct {
		name    string
		history []Event
		id, to  string
		wantErr string
	}{
		{"pending task starts", nil, "task-1.2", InProgress, ""},
		{"pending task is blocked", nil, "task-1.2", Blocked, ""},
		{"pending task cannot complete", nil, "task-1.2", Completed, "task-1.2 cannot go from pending to completed: start it first (in_progress)"},
		{"same status refused", nil, "task-1.2", Pending, "task-1.2 is already pending"},
		{"in-progress task without subtasks completes", []Event{status(1, 0, "task-1.2", "", Pending, InProgress)}, "task-1.2", Completed, ""},
		{"open subtasks block completion", []Event{status(1, 0, "task-1.1", "", Pending, InProgress)}, "task-1.1", Completed,
			"task-1.1 cannot be completed: 2 of 2 subtasks are not completed (task-1.1.1, task-1.1.2)"},
		{"completes once every subtask is", bothDone, "task-1.1", Completed, ""},
		{"completed task can be reopened", append(bothDone, status(4, 3, "task-1.1", "", InProgress, Completed)), "task-1.1", InProgress, ""},
		{"completed task cannot be blocked", append(bothDone, status(4, 3, "task-1.1", "", InProgress, Completed)), "task-1.1", Blocked,
			"task-1.1 cannot go from completed to blocked: from completed it can go to in_progress"},
		{"unknown status", nil, "task-1.2", "done", "unknown status \"done\" (want one of pending, in_progress, completed, blocked)"},
		{"unknown task", nil, "task-9.9", InProgress, "unknown task task-9.9 (see taskmaster status)"},
		{"malformed id", nil, "1.1", InProgress, `task id "1.1" is malformed (want task-<phase>.<n>, such as task-1.1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := UpdateTask(p, Replay(tt.history), tt.id, tt.to, "note")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v\nwant    %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Event.Task != tt.id || c.Event.To != tt.to || c.Event.Note != "note" || c.Event.Action != ActionStatus {
				t.Errorf("event = %+v", c.Event)
			}
		})
	}
}

func TestUpdateSubtaskReportsWhenAllSubtasksAreCompleted(t *testing.T) {
	p := testPlan(t)
	oneDone := []Event{status(1, 0, "task-1.1", "task-1.1.1", Pending, Completed)}
	tests := []struct {
		name             string
		history          []Event
		sub, to, wantErr string
		wantAllDone      bool
	}{
		{"first subtask completed", nil, "task-1.1.1", Completed, "", false},
		{"last subtask completed", oneDone, "task-1.1.2", Completed, "", true},
		{"subtask started", oneDone, "task-1.1.2", InProgress, "", false},
		{"subtask of another task", nil, "task-1.2.1", Completed, "task-1.2.1 is not a subtask of task-1.1 (it has 2 subtasks)", false},
		{"same status refused", oneDone, "task-1.1.1", Completed, "task-1.1.1 is already completed", false},
		{"task completed", []Event{
			status(1, 0, "task-1.1", "", Pending, InProgress),
			status(2, 1, "task-1.1", "task-1.1.1", Pending, Completed),
			status(3, 2, "task-1.1", "task-1.1.2", Pending, Completed),
			status(4, 3, "task-1.1", "", InProgress, Completed),
		}, "task-1.1.1", Pending, "task-1.1 is completed: reopen it (in_progress) before changing its subtasks", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := UpdateSubtask(p, Replay(tt.history), "task-1.1", tt.sub, tt.to, "")
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v\nwant    %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AllSubtasksCompleted != tt.wantAllDone || c.Event.Subtask != tt.sub {
				t.Errorf("change = %+v, want AllSubtasksCompleted=%t", c, tt.wantAllDone)
			}
		})
	}
}

func TestAssignRefusesEmptyAndRepeatedNames(t *testing.T) {
	p := testPlan(t)
	assigned := Replay([]Event{{Seq: 1, Time: at(0), Task: "task-1.2", Action: ActionAssign, Assignee: "Ann"}})
	tests := []struct {
		name, id, who, wantErr string
		state                  State
	}{
		{"assigns", "task-1.2", "Bob", "", assigned},
		{"empty name", "task-1.2", "  ", "assignee name must not be empty", assigned},
		{"same person", "task-1.2", "Ann", "task-1.2 is already assigned to Ann", assigned},
		{"unknown task", "task-7.1", "Ann", "unknown task task-7.1 (see taskmaster status)", assigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Assign(p, tt.state, tt.id, tt.who)
			if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
