package prd

import (
	"fmt"
	"sort"
	"strings"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/markdown"
)

// Parse reads a Markdown PRD.
//
// A phase is a heading such as "Phase 2: Enhanced Monitoring (Weeks 7-10)" (also
// "Milestone"/"Stage", with a number, number word or Roman numeral). Its features are its
// sub-headings; when it has none, the top-level items of its lists and the rows of its
// tables. A heading elsewhere annotated "(Phase 2)" or followed by a "Phase: 2" line, and a
// table row with a Phase column, is a feature of that phase, which need not have a heading
// of its own. A feature's requirements are the list items and table rows under it and its
// childless sub-headings; nested list items are folded into their parent's description.
// Features are listed in document order.
func Parse(src []byte) (*Document, error) {
	p := &parser{phases: map[int]*Phase{}, declared: map[int]int{}}
	root := buildSections(markdown.Parse(src))
	if err := p.walk(root); err != nil {
		return nil, err
	}
	return p.document()
}

type parser struct {
	phases map[int]*Phase
	// declared maps a phase number to the line of its heading.
	declared map[int]int
	features []placed
}

// placed is a feature with the phase it belongs to.
type placed struct {
	phase   int
	feature Feature
}

// section is a heading with the blocks up to its first sub-heading and its sub-sections.
type section struct {
	heading  *markdown.Block
	body     []markdown.Block
	children []*section
}

func buildSections(blocks []markdown.Block) *section {
	root := &section{}
	stack := []*section{root}
	for i := range blocks {
		b := blocks[i]
		if b.Kind != markdown.Heading {
			top := stack[len(stack)-1]
			top.body = append(top.body, b)
			continue
		}
		for len(stack) > 1 && stack[len(stack)-1].heading.Level >= b.Level {
			stack = stack[:len(stack)-1]
		}
		s := &section{heading: &blocks[i]}
		parent := stack[len(stack)-1]
		parent.children = append(parent.children, s)
		stack = append(stack, s)
	}
	return root
}

// walk looks for phases and phase-mapped features in s and its sub-sections.
func (p *parser) walk(s *section) error {
	for _, b := range s.body {
		if b.Kind == markdown.Table {
			if err := p.tableFeatures(b, 0); err != nil {
				return err
			}
		}
	}
	for _, c := range s.children {
		if _, _, _, ok := parsePhaseHeading(markdown.PlainText(c.heading.Text)); ok {
			if err := p.phase(c); err != nil {
				return err
			}
			continue
		}
		if phaseOf(c) > 0 {
			if err := p.sectionFeature(c, 0); err != nil {
				return err
			}
			continue
		}
		if err := p.walk(c); err != nil {
			return err
		}
	}
	return nil
}

// phaseOf returns the phase a non-phase heading maps its section to, or zero.
func phaseOf(s *section) int {
	if m := phaseAnnotation.FindStringSubmatch(markdown.PlainText(s.heading.Text)); m != nil {
		if n, ok := phaseNumber(m[1]); ok {
			return n
		}
	}
	for _, b := range s.body {
		if b.Kind != markdown.Paragraph {
			continue
		}
		for _, line := range b.Lines {
			sub := metadataLine.FindStringSubmatch(markdown.PlainText(line))
			if sub == nil {
				continue
			}
			if !isPhaseKey(sub[1]) {
				continue
			}
			if n, _, ok := parsePhaseReference(sub[2]); ok {
				return n
			}
		}
	}
	return 0
}

func isPhaseKey(k string) bool {
	switch strings.ToLower(k) {
	case "phase", "milestone", "stage":
		return true
	}
	return false
}

// phase reads a phase heading's section.
func (p *parser) phase(s *section) error {
	number, name, weeks, _ := parsePhaseHeading(markdown.PlainText(s.heading.Text))
	line := s.heading.Line
	if first, dup := p.declared[number]; dup {
		return fmt.Errorf("line %d: phase %d is declared twice (first on line %d)", line, number, first)
	}
	p.declared[number] = line
	ph := p.ensurePhase(number, "", line)
	if name == "" {
		name = fmt.Sprintf("Phase %d", number)
	}
	ph.Name, ph.Weeks, ph.Line = name, weeks, line
	desc, m, err := paragraphs(s.body)
	if err != nil {
		return err
	}
	ph.Description, ph.Priority = desc, m.priority
	if len(s.children) > 0 {
		for _, c := range s.children {
			if _, _, _, ok := parsePhaseHeading(markdown.PlainText(c.heading.Text)); ok {
				return fmt.Errorf("line %d: phase heading %q is nested inside phase %d (line %d)", c.heading.Line, markdown.PlainText(c.heading.Text), number, line)
			}
			if err := p.sectionFeature(c, number); err != nil {
				return err
			}
		}
		return nil
	}
	for _, run := range blockRuns(s.body) {
		if run[0].Kind == markdown.Table {
			if err := p.tableFeatures(run[0], number); err != nil {
				return err
			}
			continue
		}
		if run[0].Kind != markdown.ListItem {
			continue
		}
		for _, it := range listTree(run) {
			f, mk, err := itemFeature(it)
			if err != nil {
				return err
			}
			if f.Title != "" {
				p.add(pick(mk.phase, number), mk.phaseName, f)
			}
		}
	}
	return nil
}

// sectionFeature reads s as one feature of phase number (or the phase it is mapped to).
func (p *parser) sectionFeature(s *section, number int) error {
	title, m, err := extractMarkers(stripNumbering(markdown.PlainText(s.heading.Text)))
	if err != nil {
		return fmt.Errorf("line %d: %w", s.heading.Line, err)
	}
	if title == "" {
		return fmt.Errorf("line %d: feature heading has no title", s.heading.Line)
	}
	desc, bm, err := paragraphs(s.body)
	if err != nil {
		return err
	}
	m = m.merge(bm)
	reqs, err := requirements(s)
	if err != nil {
		return err
	}
	f := Feature{Title: title, Description: desc, Line: s.heading.Line, Priority: m.priority, Hours: m.hours, Requirements: reqs}
	p.add(pick(m.phase, number), m.phaseName, f)
	return nil
}

func pick(explicit, context int) int {
	if explicit > 0 {
		return explicit
	}
	return context
}

// add places f in phase number, creating the phase when only referenced so far.
func (p *parser) add(number int, name string, f Feature) {
	p.ensurePhase(number, name, f.Line)
	p.features = append(p.features, placed{phase: number, feature: f})
}

func (p *parser) ensurePhase(number int, name string, line int) *Phase {
	ph, ok := p.phases[number]
	if !ok {
		ph = &Phase{Number: number, Name: name, Line: line}
		if ph.Name == "" {
			ph.Name = fmt.Sprintf("Phase %d", number)
		}
		p.phases[number] = ph
	}
	return ph
}

// document assembles the phases, in order, each with its features in document order.
func (p *parser) document() (*Document, error) {
	if len(p.phases) == 0 {
		return nil, ErrNoPhases
	}
	sort.SliceStable(p.features, func(i, j int) bool { return p.features[i].feature.Line < p.features[j].feature.Line })
	for _, pf := range p.features {
		ph := p.phases[pf.phase]
		ph.Features = append(ph.Features, pf.feature)
	}
	doc := &Document{}
	for _, ph := range p.phases {
		if len(ph.Features) == 0 {
			return nil, fmt.Errorf("line %d: phase %d %q has no features (give it sub-headings, list items or table rows)", ph.Line, ph.Number, ph.Name)
		}
		doc.Phases = append(doc.Phases, *ph)
	}
	sort.Slice(doc.Phases, func(i, j int) bool { return doc.Phases[i].Number < doc.Phases[j].Number })
	return doc, nil
}

// paragraphs reads the metadata lines of a section body and the text of its first
// paragraph that is not metadata.
func paragraphs(body []markdown.Block) (string, markers, error) {
	var m markers
	desc := ""
	for _, b := range body {
		if b.Kind != markdown.Paragraph {
			continue
		}
		var text []string
		for i, line := range b.Lines {
			plain := markdown.PlainText(line)
			isMeta, err := applyMetadataLine(plain, &m)
			if err != nil {
				return "", m, fmt.Errorf("line %d: %w", b.Line+i, err)
			}
			if !isMeta && plain != "" {
				text = append(text, plain)
			}
		}
		if desc == "" && len(text) > 0 {
			desc = joinSpace(text)
		}
	}
	return desc, m, nil
}

// blockRuns groups consecutive list items into one run; every other block is a run alone.
func blockRuns(body []markdown.Block) [][]markdown.Block {
	var runs [][]markdown.Block
	for i := 0; i < len(body); i++ {
		if body[i].Kind != markdown.ListItem {
			runs = append(runs, body[i:i+1])
			continue
		}
		j := i
		for j < len(body) && body[j].Kind == markdown.ListItem {
			j++
		}
		runs = append(runs, body[i:j])
		i = j - 1
	}
	return runs
}
