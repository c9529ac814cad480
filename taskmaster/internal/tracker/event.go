package tracker

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Statuses a task or subtask can have.
const (
	Pending    = "pending"
	InProgress = "in_progress"
	Completed  = "completed"
	Blocked    = "blocked"
)

// Statuses lists every status in display order.
var Statuses = []string{Pending, InProgress, Completed, Blocked}

// Actions an event records.
const (
	ActionStatus = "status"
	ActionAssign = "assign"
)

// Event is one state change.
type Event struct {
	Seq      int       `json:"seq"`
	Time     time.Time `json:"time"`
	Task     string    `json:"task"`
	Subtask  string    `json:"subtask,omitempty"`
	Action   string    `json:"action"`
	From     string    `json:"from,omitempty"`
	To       string    `json:"to,omitempty"`
	Assignee string    `json:"assignee,omitempty"`
	Note     string    `json:"note,omitempty"`
}

// ID is the id the event changes: the subtask's when there is one.
func (e Event) ID() string {
	if e.Subtask != "" {
		return e.Subtask
	}
	return e.Task
}

var (
	taskIDPattern    = regexp.MustCompile(`^task-[0-9]+\.[0-9]+$`)
	subtaskIDPattern = regexp.MustCompile(`^task-[0-9]+\.[0-9]+\.[0-9]+$`)
)

// ValidateStatus reports an error naming the accepted statuses when s is not one.
func ValidateStatus(s string) error {
	for _, v := range Statuses {
		if s == v {
			return nil
		}
	}
	return fmt.Errorf("unknown status %q (want one of %s)", s, strings.Join(Statuses, ", "))
}

// validate checks one stored event; seq is its expected sequence number.
func (e Event) validate(seq int) error {
	if e.Seq != seq {
		return fmt.Errorf("sequence number is %d, want %d", e.Seq, seq)
	}
	if e.Time.IsZero() {
		return fmt.Errorf("time is missing")
	}
	if !taskIDPattern.MatchString(e.Task) {
		return fmt.Errorf("task id %q is malformed", e.Task)
	}
	if e.Subtask != "" && (!subtaskIDPattern.MatchString(e.Subtask) || !strings.HasPrefix(e.Subtask, e.Task+".")) {
		return fmt.Errorf("subtask id %q is not a subtask of %s", e.Subtask, e.Task)
	}
	switch e.Action {
	case ActionStatus:
		if err := ValidateStatus(e.From); err != nil {
			return fmt.Errorf("from: %w", err)
		}
		if err := ValidateStatus(e.To); err != nil {
			return fmt.Errorf("to: %w", err)
		}
	case ActionAssign:
		if strings.TrimSpace(e.Assignee) == "" {
			return fmt.Errorf("assignee is empty")
		}
	default:
		return fmt.Errorf("unknown action %q", e.Action)
	}
	return nil
}
