package plan

// Format is the version of the tasks.json layout written by this package.
const Format = 1

// Plan is the content of tasks.json.
type Plan struct {
	Format  int     `json:"format"`
	Project string  `json:"project"`
	Version string  `json:"version"`
	Source  string  `json:"source"`
	Summary Summary `json:"summary"`
	Phases  []Phase `json:"phases"`
}

// Summary counts what the plan holds.
type Summary struct {
	Phases         int `json:"phases"`
	Tasks          int `json:"tasks"`
	Subtasks       int `json:"subtasks"`
	EstimatedHours int `json:"estimated_hours"`
}

// Phase is one phase of the plan.
type Phase struct {
	ID             string `json:"id"`
	Number         int    `json:"number"`
	Name           string `json:"name"`
	Weeks          string `json:"weeks,omitempty"`
	Description    string `json:"description,omitempty"`
	Subtasks       int    `json:"subtasks"`
	EstimatedHours int    `json:"estimated_hours"`
	Tasks          []Task `json:"tasks"`
}

// Task is one feature of the PRD.
type Task struct {
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	Description    string    `json:"description,omitempty"`
	Priority       string    `json:"priority"`
	EstimatedHours int       `json:"estimated_hours"`
	SourceLine     int       `json:"source_line"`
	Subtasks       []Subtask `json:"subtasks"`
}

// Subtask is one requirement of a feature.
type Subtask struct {
	ID             string `json:"id"`
	Title          string `json:"title"`
	Description    string `json:"description,omitempty"`
	Priority       string `json:"priority"`
	EstimatedHours int    `json:"estimated_hours"`
	SourceLine     int    `json:"source_line"`
}

// Task returns the task with id and its phase.
func (p *Plan) Task(id string) (*Task, *Phase, bool) {
	for i := range p.Phases {
		ph := &p.Phases[i]
		for j := range ph.Tasks {
			if ph.Tasks[j].ID == id {
				return &ph.Tasks[j], ph, true
			}
		}
	}
	return nil, nil, false
}

// Subtask returns the subtask of t with id.
func (t *Task) Subtask(id string) (*Subtask, bool) {
	for i := range t.Subtasks {
		if t.Subtasks[i].ID == id {
			return &t.Subtasks[i], true
		}
	}
	return nil, false
}

// IDs returns every task and subtask id in plan order.
func (p *Plan) IDs() []string {
	var ids []string
	for _, ph := range p.Phases {
		for _, t := range ph.Tasks {
			ids = append(ids, t.ID)
			for _, s := range t.Subtasks {
				ids = append(ids, s.ID)
			}
		}
	}
	return ids
}
