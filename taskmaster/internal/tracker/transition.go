package tracker

import (
	"fmt"
	"slices"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
)

// taskMoves lists the statuses a task may move to from each status. A task is started
// before it is completed, and a completed task can only be reopened.
var taskMoves = map[string][]string{
	Pending:    {InProgress, Blocked},
	InProgress: {Completed, Blocked, Pending},
	Blocked:    {InProgress, Pending},
	Completed:  {InProgress},
}

// Change is a state change that has been checked and is ready to append.
type Change struct {
	Event Event
	// AllSubtasksCompleted is true when this change completes the last open subtask.
	AllSubtasksCompleted bool
}

// UpdateTask checks moving task id to status to.
func UpdateTask(p *plan.Plan, s State, id, to, note string) (Change, error) {
	if err := ValidateStatus(to); err != nil {
		return Change{}, err
	}
	t, _, ok := p.Task(id)
	if !ok {
		return Change{}, TaskNotFound(id)
	}
	from := s.Item(id).Status
	if from == to {
		return Change{}, fmt.Errorf("%s is already %s", id, to)
	}
	if !slices.Contains(taskMoves[from], to) {
		reason := fmt.Sprintf("from %s it can go to %s", from, strings.Join(taskMoves[from], ", "))
		if from == Pending && to == Completed {
			reason = "start it first (in_progress)"
		}
		return Change{}, fmt.Errorf("%s cannot go from %s to %s: %s", id, from, to, reason)
	}
	if to == Completed {
		var open []string
		for _, st := range t.Subtasks {
			if s.Item(st.ID).Status != Completed {
				open = append(open, st.ID)
			}
		}
		if len(open) > 0 {
			return Change{}, fmt.Errorf("%s cannot be completed: %d of %d subtasks are not completed (%s)", id, len(open), len(t.Subtasks), strings.Join(open, ", "))
		}
	}
	return Change{Event: Event{Task: id, Action: ActionStatus, From: from, To: to, Note: note}}, nil
}

// UpdateSubtask checks moving subtask sub of task id to status to. Subtasks may move
// freely, but not while their task is completed.
func UpdateSubtask(p *plan.Plan, s State, id, sub, to, note string) (Change, error) {
	if err := ValidateStatus(to); err != nil {
		return Change{}, err
	}
	t, _, ok := p.Task(id)
	if !ok {
		return Change{}, TaskNotFound(id)
	}
	if _, ok := t.Subtask(sub); !ok {
		return Change{}, fmt.Errorf("%s is not a subtask of %s (it has %d subtasks)", sub, id, len(t.Subtasks))
	}
	if s.Item(id).Status == Completed {
		return Change{}, fmt.Errorf("%s is completed: reopen it (in_progress) before changing its subtasks", id)
	}
	from := s.Item(sub).Status
	if from == to {
		return Change{}, fmt.Errorf("%s is already %s", sub, to)
	}
	c := Change{Event: Event{Task: id, Subtask: sub, Action: ActionStatus, From: from, To: to, Note: note}}
	if to == Completed {
		c.AllSubtasksCompleted = true
		for _, st := range t.Subtasks {
			if st.ID != sub && s.Item(st.ID).Status != Completed {
				c.AllSubtasksCompleted = false
			}
		}
	}
	return c, nil
}

// Assign checks giving task id to name.
func Assign(p *plan.Plan, s State, id, name string) (Change, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Change{}, fmt.Errorf("assignee name must not be empty")
	}
	if _, _, ok := p.Task(id); !ok {
		return Change{}, TaskNotFound(id)
	}
	if s.Item(id).Assignee == name {
		return Change{}, fmt.Errorf("%s is already assigned to %s", id, name)
	}
	return Change{Event: Event{Task: id, Action: ActionAssign, Assignee: name}}, nil
}

// TaskNotFound is the error for an id that is not a task of the plan.
func TaskNotFound(id string) error {
	if !taskIDPattern.MatchString(id) {
		return fmt.Errorf("task id %q is malformed (want task-<phase>.<n>, such as task-1.1)", id)
	}
	return fmt.Errorf("unknown task %s (see taskmaster status)", id)
}
