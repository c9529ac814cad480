package plan

import (
	"fmt"
	"strings"
)

// Overview renders the README's "Project overview" section: one table row per phase with
// its weeks, tasks, subtasks and estimated hours, and a total row.
func Overview(p *Plan) string {
	var b strings.Builder
	b.WriteString("## Project overview\n\n")
	fmt.Fprintf(&b, "The plan in [`PRD.md`](PRD.md), parsed into [`tasks.json`](tasks.json) by `taskmaster init`\n")
	b.WriteString("(`go build -o taskmaster ./taskmaster`); track it with `taskmaster status`. A test checks\n")
	b.WriteString("these numbers against `tasks.json`.\n\n")
	b.WriteString("| Phase | Weeks | Tasks | Subtasks | Estimated hours |\n")
	b.WriteString("|---|---|---:|---:|---:|\n")
	for _, ph := range p.Phases {
		weeks := ph.Weeks
		if weeks == "" {
			weeks = "—"
		}
		fmt.Fprintf(&b, "| %d. %s | %s | %d | %d | %d |\n", ph.Number, ph.Name, weeks, len(ph.Tasks), ph.Subtasks, ph.EstimatedHours)
	}
	s := p.Summary
	fmt.Fprintf(&b, "| **Total: %d phases** | | **%d** | **%d** | **%d** |\n", s.Phases, s.Tasks, s.Subtasks, s.EstimatedHours)
	return b.String()
}
