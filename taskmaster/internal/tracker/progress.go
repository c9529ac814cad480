package tracker

import (
	"math"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
)

// Progress is what `taskmaster progress` prints.
type Progress struct {
	Project           string          `json:"project"`
	Version           string          `json:"version"`
	TotalTasks        int             `json:"total_tasks"`
	CompletionPercent float64         `json:"completion_percent"`
	Tasks             StatusCounts    `json:"tasks"`
	Subtasks          SubtaskProgress `json:"subtasks"`
	Hours             Hours           `json:"hours"`
	Phases            []PhaseProgress `json:"phases"`
}

// StatusCounts counts items by status.
type StatusCounts struct {
	Pending    int `json:"pending"`
	InProgress int `json:"in_progress"`
	Completed  int `json:"completed"`
	Blocked    int `json:"blocked"`
}

// SubtaskProgress is subtask completion statistics.
type SubtaskProgress struct {
	Total             int          `json:"total"`
	CompletionPercent float64      `json:"completion_percent"`
	ByStatus          StatusCounts `json:"by_status"`
	// TasksWithAllSubtasksCompleted counts tasks that have subtasks, all completed.
	TasksWithAllSubtasksCompleted int `json:"tasks_with_all_subtasks_completed"`
}

// Hours is estimated work done and remaining. A completed task counts in full; otherwise
// its completed subtasks count.
type Hours struct {
	Estimated int `json:"estimated"`
	Done      int `json:"done"`
	Remaining int `json:"remaining"`
}

// PhaseProgress is one phase's share.
type PhaseProgress struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	Tasks             int     `json:"tasks"`
	Completed         int     `json:"completed"`
	CompletionPercent float64 `json:"completion_percent"`
}

func (c *StatusCounts) add(status string) {
	switch status {
	case Pending:
		c.Pending++
	case InProgress:
		c.InProgress++
	case Completed:
		c.Completed++
	case Blocked:
		c.Blocked++
	}
}

// Measure computes the progress of p in state s.
func Measure(p *plan.Plan, s State) Progress {
	pr := Progress{Project: p.Project, Version: p.Version, Phases: []PhaseProgress{}}
	for _, ph := range p.Phases {
		pp := PhaseProgress{ID: ph.ID, Name: ph.Name, Tasks: len(ph.Tasks)}
		for _, t := range ph.Tasks {
			status := s.Item(t.ID).Status
			pr.Tasks.add(status)
			pr.Hours.Estimated += t.EstimatedHours
			if status == Completed {
				pp.Completed++
				pr.Hours.Done += t.EstimatedHours
			}
			allDone := len(t.Subtasks) > 0
			for _, st := range t.Subtasks {
				sub := s.Item(st.ID).Status
				pr.Subtasks.ByStatus.add(sub)
				pr.Subtasks.Total++
				if sub != Completed {
					allDone = false
				} else if status != Completed {
					pr.Hours.Done += st.EstimatedHours
				}
			}
			if allDone {
				pr.Subtasks.TasksWithAllSubtasksCompleted++
			}
		}
		pp.CompletionPercent = percent(pp.Completed, pp.Tasks)
		pr.Phases = append(pr.Phases, pp)
		pr.TotalTasks += len(ph.Tasks)
	}
	pr.CompletionPercent = percent(pr.Tasks.Completed, pr.TotalTasks)
	pr.Subtasks.CompletionPercent = percent(pr.Subtasks.ByStatus.Completed, pr.Subtasks.Total)
	pr.Hours.Remaining = pr.Hours.Estimated - pr.Hours.Done
	return pr
}

// percent is part of whole in percent, to one decimal place.
func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return math.Round(float64(part)*1000/float64(whole)) / 10
}
