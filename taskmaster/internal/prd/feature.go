package prd

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/markdown"
)

var (
	boldLead  = regexp.MustCompile(`^(?:\*\*|__)(.+?)(?:\*\*|__)\s*(.*)$`)
	dashSplit = regexp.MustCompile(`\s+[–—]\s+`)
	leadPunct = regexp.MustCompile(`^[\s:\-–—]+`)
)

// item is a list item with the items nested under it.
type item struct {
	block    markdown.Block
	children []*item
}

// listTree nests a run of list items by indentation.
func listTree(run []markdown.Block) []*item {
	var roots []*item
	var stack []*item
	for _, b := range run {
		it := &item{block: b}
		for len(stack) > 0 && stack[len(stack)-1].block.Indent >= b.Indent {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			roots = append(roots, it)
		} else {
			parent := stack[len(stack)-1]
			parent.children = append(parent.children, it)
		}
		stack = append(stack, it)
	}
	return roots
}

// entry reads a list item's text: "**Title** — description [HIGH] (8h)". Items nested
// under it are folded into the description.
func entry(it *item) (title, desc string, m markers, err error) {
	text, m, err := extractMarkers(it.block.Text)
	if err != nil {
		return "", "", m, fmt.Errorf("line %d: %w", it.block.Line, err)
	}
	if sub := boldLead.FindStringSubmatch(text); sub != nil {
		title, desc = sub[1], leadPunct.ReplaceAllString(sub[2], "")
	} else if parts := dashSplit.Split(text, 2); len(parts) == 2 {
		title, desc = parts[0], parts[1]
	} else {
		title = text
	}
	title = strings.TrimRight(stripNumbering(markdown.PlainText(title)), ":")
	desc = markdown.PlainText(desc)
	var nested []string
	for _, c := range it.children {
		nested = append(nested, flatten(c)...)
	}
	if len(nested) > 0 {
		desc = joinNonEmpty("; ", append([]string{desc}, nested...)...)
	}
	return strings.TrimSpace(title), desc, m, nil
}

// flatten returns the plain text of it and every item under it.
func flatten(it *item) []string {
	out := []string{markdown.PlainText(it.block.Text)}
	for _, c := range it.children {
		out = append(out, flatten(c)...)
	}
	return out
}

// itemFeature reads a top-level list item of a phase as a feature; its nested items are
// the requirements.
func itemFeature(it *item) (Feature, markers, error) {
	text, m, err := extractMarkers(it.block.Text)
	if err != nil {
		return Feature{}, m, fmt.Errorf("line %d: %w", it.block.Line, err)
	}
	head := &item{block: it.block}
	head.block.Text = text
	title, desc, _, err := entry(head)
	if err != nil {
		return Feature{}, m, err
	}
	f := Feature{Title: title, Description: desc, Line: it.block.Line, Priority: m.priority, Hours: m.hours}
	for _, c := range it.children {
		r, err := itemRequirement(c)
		if err != nil {
			return Feature{}, m, err
		}
		if r.Title != "" {
			f.Requirements = append(f.Requirements, r)
		}
	}
	return f, m, nil
}

func itemRequirement(it *item) (Requirement, error) {
	title, desc, m, err := entry(it)
	if err != nil {
		return Requirement{}, err
	}
	return Requirement{Title: title, Description: desc, Line: it.block.Line, Priority: m.priority, Hours: m.hours}, nil
}

// requirements collects the requirements of a feature section: its list items and table
// rows, those of its sub-sections, and each sub-heading that has neither nor sub-headings.
func requirements(s *section) ([]Requirement, error) {
	var out []Requirement
	for _, run := range blockRuns(s.body) {
		switch run[0].Kind {
		case markdown.ListItem:
			for _, it := range listTree(run) {
				r, err := itemRequirement(it)
				if err != nil {
					return nil, err
				}
				if r.Title != "" {
					out = append(out, r)
				}
			}
		case markdown.Table:
			rows, err := readTable(run[0])
			if err != nil {
				return nil, err
			}
			for _, row := range rows {
				out = append(out, Requirement{
					Title: row.title, Description: joinNonEmpty("; ", append([]string{row.desc}, row.subtasks...)...),
					Line: row.line, Priority: row.m.priority, Hours: row.m.hours,
				})
			}
		}
	}
	for _, c := range s.children {
		if hasItems(c) || len(c.children) > 0 {
			sub, err := requirements(c)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		title, m, err := extractMarkers(stripNumbering(markdown.PlainText(c.heading.Text)))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", c.heading.Line, err)
		}
		desc, bm, err := paragraphs(c.body)
		if err != nil {
			return nil, err
		}
		m = m.merge(bm)
		if title != "" {
			out = append(out, Requirement{Title: title, Description: desc, Line: c.heading.Line, Priority: m.priority, Hours: m.hours})
		}
	}
	return out, nil
}

func hasItems(s *section) bool {
	for _, b := range s.body {
		if b.Kind == markdown.ListItem || b.Kind == markdown.Table {
			return true
		}
	}
	return false
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

func joinSpace(parts []string) string { return joinNonEmpty(" ", parts...) }
