package prd

import (
	"fmt"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/markdown"
)

// column roles of a requirements table.
type roles struct {
	title, desc, priority, hours, phase, subtasks int
}

// tableRow is one row of a requirements table.
type tableRow struct {
	title, desc string
	m           markers
	// hasPhase is true when the row's phase cell is not empty.
	hasPhase bool
	subtasks []string
	line     int
}

// columnRoles assigns roles to the header cells; -1 means absent. A table with no column
// that can hold a title has title -1.
func columnRoles(header []string) roles {
	r := roles{-1, -1, -1, -1, -1, -1}
	var free []int
	for i, h := range header {
		h = strings.ToLower(markdown.PlainText(h))
		switch {
		case r.subtasks < 0 && containsAny(h, "subtask", "acceptance", "criteria", "steps"):
			r.subtasks = i
		case r.phase < 0 && containsAny(h, "phase", "milestone", "stage"):
			r.phase = i
		case r.priority < 0 && containsAny(h, "priority", "prio", "moscow", "importance"):
			r.priority = i
		case r.hours < 0 && containsAny(h, "estimate", "hours", "effort", "hrs"):
			r.hours = i
		case r.desc < 0 && containsAny(h, "description", "detail", "notes", "rationale"):
			r.desc = i
		case isIDHeader(h):
		case r.title < 0 && containsAny(h, "feature", "task", "requirement", "title", "name", "item", "story", "capability", "deliverable", "goal"):
			r.title = i
		default:
			free = append(free, i)
		}
	}
	if r.title < 0 && len(free) > 0 {
		r.title = free[0]
	}
	if r.title < 0 && r.desc >= 0 {
		r.title, r.desc = r.desc, -1
	}
	return r
}

func isIDHeader(h string) bool {
	switch strings.Trim(h, " .") {
	case "id", "#", "ref", "key", "no", "number", "req", "req id", "requirement id", "task id":
		return true
	}
	return false
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// readTable reads the rows of a requirements table; rows with an empty title are skipped.
func readTable(t markdown.Block) ([]tableRow, error) {
	r := columnRoles(t.Header)
	if r.title < 0 {
		return nil, nil
	}
	var rows []tableRow
	for _, row := range t.Rows {
		cell := func(i int) string {
			if i < 0 || i >= len(row.Cells) {
				return ""
			}
			return markdown.PlainText(row.Cells[i])
		}
		title, m, err := extractMarkers(cell(r.title))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", row.Line, err)
		}
		title = stripNumbering(title)
		if title == "" {
			continue
		}
		tr := tableRow{title: title, desc: cell(r.desc), m: m, line: row.Line}
		if v := cell(r.priority); v != "" {
			if tr.m.priority, err = parsePriority(v); err != nil {
				return nil, fmt.Errorf("line %d: %w", row.Line, err)
			}
		}
		if v := cell(r.hours); v != "" {
			if tr.m.hours, err = parseHours(v); err != nil {
				return nil, fmt.Errorf("line %d: %w", row.Line, err)
			}
		}
		if v := cell(r.phase); v != "" {
			n, name, ok := parsePhaseReference(v)
			if !ok {
				return nil, fmt.Errorf("line %d: phase %q is not a phase number", row.Line, v)
			}
			tr.m.phase, tr.m.phaseName, tr.hasPhase = n, name, true
		}
		for _, s := range strings.Split(cell(r.subtasks), ";") {
			if s = strings.TrimSpace(s); s != "" {
				tr.subtasks = append(tr.subtasks, s)
			}
		}
		rows = append(rows, tr)
	}
	return rows, nil
}

// tableFeatures reads the rows of t as features of phase number. Outside a phase (number
// zero) only a table with a Phase column is a feature table, and every row must name one.
func (p *parser) tableFeatures(t markdown.Block, number int) error {
	r := columnRoles(t.Header)
	if number == 0 && r.phase < 0 {
		return nil
	}
	rows, err := readTable(t)
	if err != nil {
		return err
	}
	for _, row := range rows {
		if number == 0 && !row.hasPhase {
			return fmt.Errorf("line %d: table row %q has no phase", row.line, row.title)
		}
		f := Feature{Title: row.title, Description: row.desc, Line: row.line, Priority: row.m.priority, Hours: row.m.hours}
		for _, s := range row.subtasks {
			f.Requirements = append(f.Requirements, Requirement{Title: s, Line: row.line})
		}
		p.add(pick(row.m.phase, number), row.m.phaseName, f)
	}
	return nil
}
