package prd

import "errors"

// Document is what a PRD plans: its phases in ascending order of number.
type Document struct {
	Phases []Phase
}

// Phase is one phase (milestone, stage) of the plan.
type Phase struct {
	Number int
	Name   string
	// Weeks is the span the PRD gives, such as "1-6"; empty when none is given.
	Weeks       string
	Description string
	// Priority is the default priority the phase gives its features, or empty.
	Priority string
	// Line is where the phase is declared: its heading, or the first reference to it.
	Line     int
	Features []Feature
}

// Feature is one deliverable of a phase; it becomes a task.
type Feature struct {
	Title       string
	Description string
	Line        int
	// Priority is one of Priorities, or empty when the PRD gives none.
	Priority string
	// Hours is the author's estimate, or zero when the PRD gives none.
	Hours        int
	Requirements []Requirement
}

// Requirement is one requirement of a feature; it becomes a subtask.
type Requirement struct {
	Title       string
	Description string
	Line        int
	Priority    string
	Hours       int
}

// Priorities are the priority levels, highest first.
var Priorities = []string{"critical", "high", "medium", "low"}

// ErrNoPhases is returned for a document in which no phase is declared or referenced.
var ErrNoPhases = errors.New(`no phases found (expected headings such as "## Phase 1: MVP", annotations such as "(Phase 2)" or a table with a Phase column)`)
