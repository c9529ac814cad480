package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/markdown"
	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
)

// repoRoot is where PRD.md, tasks.json and README.md live, seen from this package.
const repoRoot = ".."

func TestCommittedTasksJSONMatchesPRD(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot, "PRD.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, want, err := planFromPRD(src, plan.Options{Project: "etcd-monitor", Version: "1.0.0", Source: "PRD.md"})
	if err != nil {
		t.Fatalf("PRD.md does not parse: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(repoRoot, "tasks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("tasks.json is stale; regenerate it with `go run ./taskmaster init` at the repository root.\nfirst difference: %s", firstDifference(got, want))
	}
}

// firstDifference describes the first line where got and want differ.
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ": committed " + strconv.Quote(gl) + ", generated " + strconv.Quote(wl)
		}
	}
	return "none"
}

var (
	phaseCell = regexp.MustCompile(`^([0-9]+)\. (.+)$`)
	totalCell = regexp.MustCompile(`^Total: ([0-9]+) phases$`)
)

func TestReadmeProjectOverviewMatchesTasksJSON(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section, ok := between(string(readme), "<!-- project-overview:begin -->", "<!-- project-overview:end -->")
	if !ok {
		t.Fatal("README.md has no project-overview markers")
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, "tasks.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var table *markdown.Block
	heading := false
	for _, b := range markdown.Parse([]byte(section)) {
		if b.Kind == markdown.Heading && b.Text == "Project overview" {
			heading = true
		}
		if b.Kind == markdown.Table && table == nil {
			table = &b
		}
	}
	if !heading || table == nil {
		t.Fatal(`the overview needs a "## Project overview" heading and a table; print one with: go run ./taskmaster overview`)
	}
	if len(table.Rows) != len(p.Phases)+1 {
		t.Fatalf("overview table has %d rows, want one per phase (%d) and a total", len(table.Rows), len(p.Phases))
	}
	for i, ph := range p.Phases {
		row := plainCells(table.Rows[i].Cells)
		m := phaseCell.FindStringSubmatch(row[0])
		if m == nil || m[1] != strconv.Itoa(ph.Number) || m[2] != ph.Name {
			t.Errorf("row %d names %q, want %q", i+1, row[0], strconv.Itoa(ph.Number)+". "+ph.Name)
		}
		checkNumbers(t, row, ph.Name, len(ph.Tasks), ph.Subtasks, ph.EstimatedHours)
	}
	total := plainCells(table.Rows[len(p.Phases)].Cells)
	if m := totalCell.FindStringSubmatch(total[0]); m == nil || m[1] != strconv.Itoa(p.Summary.Phases) {
		t.Errorf("total row names %q, want %q", total[0], "Total: "+strconv.Itoa(p.Summary.Phases)+" phases")
	}
	checkNumbers(t, total, "total", p.Summary.Tasks, p.Summary.Subtasks, p.Summary.EstimatedHours)
}

// checkNumbers compares the Tasks, Subtasks and Estimated hours cells of an overview row.
func checkNumbers(t *testing.T, row []string, what string, tasks, subtasks, hours int) {
	t.Helper()
	if len(row) < 5 {
		t.Errorf("%s row has %d cells, want 5", what, len(row))
		return
	}
	for i, want := range map[int]int{2: tasks, 3: subtasks, 4: hours} {
		if row[i] != strconv.Itoa(want) {
			t.Errorf("%s: README says %s in column %d, tasks.json says %d (see: go run ./taskmaster overview)", what, row[i], i+1, want)
		}
	}
}

func plainCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = markdown.PlainText(c)
	}
	return out
}

func between(s, begin, end string) (string, bool) {
	i := strings.Index(s, begin)
	j := strings.Index(s, end)
	if i < 0 || j < i {
		return "", false
	}
	return s[i+len(begin) : j], true
}
