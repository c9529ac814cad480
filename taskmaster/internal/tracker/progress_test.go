package tracker

import "testing"

func TestMeasureCountsStatusesSubtasksAndHours(t *testing.T) {
	p := testPlan(t)
	tests := []struct {
		name   string
		events []Event
		want   Progress
	}{
		{"nothing done", nil, Progress{
			TotalTasks: 2, Tasks: StatusCounts{Pending: 2},
			Subtasks: SubtaskProgress{Total: 2, ByStatus: StatusCounts{Pending: 2}},
			Hours:    Hours{Estimated: 16, Remaining: 16},
		}},
		{"one subtask done counts its hours", []Event{
			status(1, 0, "task-1.1", "", Pending, InProgress),
			status(2, 1, "task-1.1", "task-1.1.1", Pending, Completed),
		}, Progress{
			TotalTasks: 2, Tasks: StatusCounts{Pending: 1, InProgress: 1},
			Subtasks: SubtaskProgress{Total: 2, CompletionPercent: 50, ByStatus: StatusCounts{Pending: 1, Completed: 1}},
			Hours:    Hours{Estimated: 16, Done: 4, Remaining: 12},
		}},
		{"completed task counts in full", []Event{
			status(1, 0, "task-1.2", "", Pending, InProgress),
			status(2, 1, "task-1.2", "", InProgress, Completed),
			status(3, 2, "task-1.1", "", Pending, Blocked),
		}, Progress{
			TotalTasks: 2, CompletionPercent: 50, Tasks: StatusCounts{Completed: 1, Blocked: 1},
			Subtasks: SubtaskProgress{Total: 2, ByStatus: StatusCounts{Pending: 2}},
			Hours:    Hours{Estimated: 16, Done: 8, Remaining: 8},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Measure(p, Replay(tt.events))
			if got.TotalTasks != tt.want.TotalTasks || got.CompletionPercent != tt.want.CompletionPercent ||
				got.Tasks != tt.want.Tasks || got.Subtasks != tt.want.Subtasks || got.Hours != tt.want.Hours {
				t.Errorf("Measure =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestPercentRoundsToOneDecimal(t *testing.T) {
	tests := []struct {
		part, whole int
		want        float64
	}{{0, 0, 0}, {1, 3, 33.3}, {2, 3, 66.7}, {3, 3, 100}}
	for _, tt := range tests {
		if got := percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("percent(%d, %d) = %v, want %v", tt.part, tt.whole, got, tt.want)
		}
	}
}
