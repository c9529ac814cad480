package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

var (
	taskID    = regexp.MustCompile(`^task-[0-9]+\.[0-9]+$`)
	subtaskID = regexp.MustCompile(`^task-[0-9]+\.[0-9]+\.[0-9]+$`)
)

// Encode renders p as tasks.json: indented, keys in a fixed order, ending in a newline, so
// that the same plan always gives the same bytes.
func Encode(p *Plan) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode plan: %w", err)
	}
	return buf.Bytes(), nil
}

// Decode reads tasks.json strictly (unknown fields are errors) and checks that ids are
// well formed and unique and that the summary adds up.
func Decode(data []byte) (*Plan, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate checks the plan's format, ids and summary.
func (p *Plan) Validate() error {
	if p.Format != Format {
		return fmt.Errorf("format %d is not supported (want %d)", p.Format, Format)
	}
	var want Summary
	seen := map[string]bool{}
	for _, ph := range p.Phases {
		want.Phases++
		for _, t := range ph.Tasks {
			if !taskID.MatchString(t.ID) {
				return fmt.Errorf("task id %q is malformed", t.ID)
			}
			if seen[t.ID] {
				return fmt.Errorf("task id %q appears twice", t.ID)
			}
			seen[t.ID] = true
			want.Tasks++
			want.EstimatedHours += t.EstimatedHours
			for _, s := range t.Subtasks {
				if !subtaskID.MatchString(s.ID) || !strings.HasPrefix(s.ID, t.ID+".") {
					return fmt.Errorf("subtask id %q of %s is malformed", s.ID, t.ID)
				}
				if seen[s.ID] {
					return fmt.Errorf("subtask id %q appears twice", s.ID)
				}
				seen[s.ID] = true
				want.Subtasks++
			}
		}
	}
	if want != p.Summary {
		return fmt.Errorf("summary %+v does not match the phases, which hold %+v", p.Summary, want)
	}
	return nil
}
