package plan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/prd"
)

// Default estimates, used where the PRD gives none.
const (
	DefaultSubtaskHours = 4
	DefaultTaskHours    = 8
	DefaultPriority     = "medium"
)

var semver = regexp.MustCompile(`^v?[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.+-]+)?$`)

// Options name what the plan is for.
type Options struct {
	Project string
	Version string
	// Source is the PRD's path as it should appear in tasks.json.
	Source string
}

func (o Options) validate() error {
	if strings.TrimSpace(o.Project) == "" {
		return fmt.Errorf("project name must not be empty")
	}
	if !semver.MatchString(o.Version) {
		return fmt.Errorf("version %q is not MAJOR.MINOR.PATCH", o.Version)
	}
	return nil
}

// Build numbers the phases, features and requirements of doc into a plan. Task ids are
// task-<phase number>.<position in phase>, subtask ids add the position in the task.
// A task without a priority takes its phase's, then DefaultPriority; a subtask takes its
// task's. Estimates: see estimate.
func Build(doc *prd.Document, opts Options) (*Plan, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	p := &Plan{Format: Format, Project: opts.Project, Version: opts.Version, Source: opts.Source}
	for _, dph := range doc.Phases {
		ph := Phase{
			ID: fmt.Sprintf("phase-%d", dph.Number), Number: dph.Number, Name: dph.Name,
			Weeks: dph.Weeks, Description: dph.Description, Tasks: []Task{},
		}
		for i, f := range dph.Features {
			t, err := buildTask(fmt.Sprintf("task-%d.%d", dph.Number, i+1), f, firstNonEmpty(f.Priority, dph.Priority, DefaultPriority))
			if err != nil {
				return nil, err
			}
			ph.Tasks = append(ph.Tasks, t)
			ph.Subtasks += len(t.Subtasks)
			ph.EstimatedHours += t.EstimatedHours
		}
		p.Phases = append(p.Phases, ph)
		p.Summary.Phases++
		p.Summary.Tasks += len(ph.Tasks)
		p.Summary.Subtasks += ph.Subtasks
		p.Summary.EstimatedHours += ph.EstimatedHours
	}
	return p, nil
}

func buildTask(id string, f prd.Feature, priority string) (Task, error) {
	t := Task{ID: id, Title: f.Title, Description: f.Description, Priority: priority, SourceLine: f.Line, Subtasks: []Subtask{}}
	explicit := make([]int, len(f.Requirements))
	for i, r := range f.Requirements {
		explicit[i] = r.Hours
		t.Subtasks = append(t.Subtasks, Subtask{
			ID: fmt.Sprintf("%s.%d", id, i+1), Title: r.Title, Description: r.Description,
			Priority: firstNonEmpty(r.Priority, priority), SourceLine: r.Line,
		})
	}
	hours, total, err := estimate(f.Hours, explicit)
	if err != nil {
		return Task{}, fmt.Errorf("line %d: task %q: %w", f.Line, f.Title, err)
	}
	for i := range t.Subtasks {
		t.Subtasks[i].EstimatedHours = hours[i]
	}
	t.EstimatedHours = total
	return t, nil
}

// estimate returns the hours of each subtask and of the task. Without a task estimate,
// subtasks without one get DefaultSubtaskHours and the task is their sum (DefaultTaskHours
// when it has no subtasks). With one, subtasks without an estimate share what the others
// leave, the earlier ones taking the odd hours; the subtasks may not add up to more than the
// task, and when all have estimates they must add up to it exactly.
func estimate(task int, subtasks []int) ([]int, int, error) {
	hours := make([]int, len(subtasks))
	sum, missing := 0, 0
	for i, h := range subtasks {
		hours[i] = h
		sum += h
		if h == 0 {
			missing++
		}
	}
	if task == 0 {
		if len(subtasks) == 0 {
			return hours, DefaultTaskHours, nil
		}
		for i := range hours {
			if hours[i] == 0 {
				hours[i] = DefaultSubtaskHours
				sum += DefaultSubtaskHours
			}
		}
		return hours, sum, nil
	}
	switch {
	case sum > task:
		return nil, 0, fmt.Errorf("estimated at %d hours but its subtasks add up to %d", task, sum)
	case missing == 0 && len(subtasks) > 0 && sum != task:
		return nil, 0, fmt.Errorf("estimated at %d hours but its subtasks add up to %d", task, sum)
	case missing > 0:
		share, odd := (task-sum)/missing, (task-sum)%missing
		for i := range hours {
			if hours[i] == 0 {
				hours[i] = share
				if odd > 0 {
					hours[i]++
					odd--
				}
			}
		}
	}
	return hours, task, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
