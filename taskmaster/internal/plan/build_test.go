package plan

import (
	"reflect"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/prd"
)

func TestEstimateSharesAndDefaultsHours(t *testing.T) {
	tests := []struct {
		name      string
		task      int
		subtasks  []int
		wantHours []int
		wantTotal int
		wantErr   string
	}{
		{"no estimates, no subtasks", 0, nil, []int{}, DefaultTaskHours, ""},
		{"no task estimate: defaults per subtask", 0, []int{0, 0, 3}, []int{4, 4, 3}, 11, ""},
		{"task estimate shared, odd hours first", 10, []int{0, 0, 0}, []int{4, 3, 3}, 10, ""},
		{"task estimate minus explicit subtask", 12, []int{0, 4}, []int{8, 4}, 12, ""},
		{"task estimate with no subtasks", 6, nil, []int{}, 6, ""},
		{"subtasks exceed task", 4, []int{3, 3}, nil, 0, "estimated at 4 hours but its subtasks add up to 6"},
		{"all explicit and short of task", 10, []int{3, 3}, nil, 0, "estimated at 10 hours but its subtasks add up to 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hours, total, err := estimate(tt.task, tt.subtasks)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(hours, tt.wantHours) || total != tt.wantTotal {
				t.Errorf("estimate(%d, %v) = %v, %d; want %v, %d", tt.task, tt.subtasks, hours, total, tt.wantHours, tt.wantTotal)
			}
		})
	}
}

var doc = &prd.Document{Phases: []prd.Phase{
	{Number: 1, Name: "MVP", Priority: "high", Features: []prd.Feature{
		{Title: "A", Line: 3, Requirements: []prd.Requirement{{Title: "a1", Line: 4}, {Title: "a2", Line: 5, Priority: "low", Hours: 2}}},
		{Title: "B", Line: 7, Priority: "critical", Hours: 5},
	}},
	{Number: 3, Name: "Later", Features: []prd.Feature{{Title: "C", Line: 9}}},
}}

func TestBuildNumbersTasksByPhaseAndPosition(t *testing.T) {
	p, err := Build(doc, Options{Project: "x", Version: "1.2.3", Source: "PRD.md"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id, title, priority string
		hours               int
	}{
		{"task-1.1", "A", "high", 6},
		{"task-1.2", "B", "critical", 5},
		{"task-3.1", "C", DefaultPriority, DefaultTaskHours},
	}
	for _, tt := range tests {
		task, _, ok := p.Task(tt.id)
		if !ok {
			t.Fatalf("no %s in %v", tt.id, p.IDs())
		}
		if task.Title != tt.title || task.Priority != tt.priority || task.EstimatedHours != tt.hours {
			t.Errorf("%s = %q %s %dh, want %q %s %dh", tt.id, task.Title, task.Priority, task.EstimatedHours, tt.title, tt.priority, tt.hours)
		}
	}
	a, _, _ := p.Task("task-1.1")
	if got := []Subtask{a.Subtasks[0], a.Subtasks[1]}; got[0].ID != "task-1.1.1" || got[0].Priority != "high" || got[0].EstimatedHours != DefaultSubtaskHours ||
		got[1].ID != "task-1.1.2" || got[1].Priority != "low" || got[1].EstimatedHours != 2 {
		t.Errorf("subtasks of task-1.1 = %+v", got)
	}
	want := Summary{Phases: 2, Tasks: 3, Subtasks: 2, EstimatedHours: 6 + 5 + DefaultTaskHours}
	if p.Summary != want {
		t.Errorf("summary = %+v, want %+v", p.Summary, want)
	}
}

func TestBuildRejectsBadOptions(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{Project: " ", Version: "1.0.0"}, "project name must not be empty"},
		{Options{Project: "x", Version: "one"}, `version "one" is not MAJOR.MINOR.PATCH`},
		{Options{Project: "x", Version: "1.0"}, `version "1.0" is not MAJOR.MINOR.PATCH`},
	}
	for _, tt := range tests {
		if _, err := Build(doc, tt.opts); err == nil || err.Error() != tt.want {
			t.Errorf("Build(%+v) error = %v, want %q", tt.opts, err, tt.want)
		}
	}
}

func TestBuildNamesTaskWhoseEstimatesDisagree(t *testing.T) {
	bad := &prd.Document{Phases: []prd.Phase{{Number: 1, Name: "P", Features: []prd.Feature{
		{Title: "F", Line: 8, Hours: 2, Requirements: []prd.Requirement{{Title: "r", Hours: 5}}},
	}}}}
	_, err := Build(bad, Options{Project: "x", Version: "1.0.0"})
	if err == nil || !strings.Contains(err.Error(), `line 8: task "F": estimated at 2 hours but its subtasks add up to 5`) {
		t.Fatalf("error = %v", err)
	}
}
