package prd_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/prd"
)

var update = flag.Bool("update", false, "rewrite the .outline golden files from the parser's output")

// outline renders a document compactly, one line per phase, feature and requirement.
func outline(doc *prd.Document) string {
	var b strings.Builder
	for _, ph := range doc.Phases {
		fmt.Fprintf(&b, "phase %d %q weeks=%q priority=%q line=%d desc=%q\n", ph.Number, ph.Name, ph.Weeks, ph.Priority, ph.Line, ph.Description)
		for _, f := range ph.Features {
			fmt.Fprintf(&b, "  feature %q priority=%q hours=%d line=%d desc=%q\n", f.Title, f.Priority, f.Hours, f.Line, f.Description)
			for _, r := range f.Requirements {
				fmt.Fprintf(&b, "    req %q priority=%q hours=%d line=%d desc=%q\n", r.Title, r.Priority, r.Hours, r.Line, r.Description)
			}
		}
	}
	return b.String()
}

// TestParseReadsDifferentlyShapedPRDs parses each testdata/*.md PRD and compares the result
// with testdata/<name>.outline (go test -update rewrites them).
func TestParseReadsDifferentlyShapedPRDs(t *testing.T) {
	tests := []struct {
		file string
		// shape says what the file exercises.
		shape string
	}{
		{"numbered-headings.md", "numbered ATX headings, estimates shared by subtasks, childless sub-headings as requirements"},
		{"bullet-lists.md", "setext headings, milestones, bullet features with nested requirements and inline markers"},
		{"numbered-lists.md", "stage number words, numbered lists with both delimiters and nesting"},
		{"requirements-table.md", "front matter, no phase headings, a requirements table with a Phase column"},
		{"phase-tables.md", "Roman numerals, a table of features under each phase"},
		{"mapped-features.md", "features mapped by (Phase N) and Phase: lines, code fences and comments ignored"},
		{"../../../../PRD.md", "etcd-monitor's own PRD"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := prd.Parse(src)
			if err != nil {
				t.Fatalf("%s (%s): %v", tt.file, tt.shape, err)
			}
			got := outline(doc)
			golden := filepath.Join("testdata", strings.TrimSuffix(filepath.Base(tt.file), ".md")+".outline")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s (%s): outline differs from %s\n--- got\n%s--- want\n%s", tt.file, tt.shape, golden, got, want)
			}
		})
	}
}

func TestParseRejectsBadPRDsNamingTheProblem(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty document", "", prd.ErrNoPhases.Error()},
		{"no phase anywhere", "# Title\n\n## Goals\n\n- be fast\n", prd.ErrNoPhases.Error()},
		{"phase declared twice", "## Phase 1: A\n- x\n## Phase 1: B\n- y\n", "line 3: phase 1 is declared twice (first on line 1)"},
		{"phase without features", "## Phase 1: A\n\nJust words.\n", `line 1: phase 1 "A" has no features (give it sub-headings, list items or table rows)`},
		{"unknown priority line", "## Phase 1: A\n### F\nPriority: urgentish\n", `line 3: unknown priority "urgentish" (want critical, high, medium, low, P0–P3 or must/should/could)`},
		{"estimate that is not a number", "## Phase 1: A\n### F\n\nEstimate: lots\n", `line 4: estimate "lots" is not a number of hours or days (such as 12h or 2d)`},
		{"estimate too large", "## Phase 1: A\n- F (200000h)\n", `line 2: estimate "200000h" is more than 100000 hours`},
		{"table row without phase", "| Feature | Phase |\n|---|---|\n| A | 1 |\n| B | |\n", `line 4: table row "B" has no phase`},
		{"table phase that is not a number", "| Feature | Phase |\n|---|---|\n| A | soon |\n", `line 3: phase "soon" is not a phase number`},
		{"table priority unknown", "## Phase 1: A\n\n| Feature | Priority |\n|---|---|\n| A | whenever |\n", `line 5: unknown priority "whenever" (want critical, high, medium, low, P0–P3 or must/should/could)`},
		{"phase inside phase", "## Phase 1: A\n### Phase 2: B\n- x\n", `line 2: phase heading "Phase 2: B" is nested inside phase 1 (line 1)`},
		{"feature heading without title", "## Phase 1: A\n### **  **\n- x\n", "line 2: feature heading has no title"},
		{"phase metadata that is not a number", "## Phase 1: A\n### F\nPhase: later\n", `line 3: phase "later" is not a phase number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := prd.Parse([]byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded with %d phases, want error %q", len(doc.Phases), tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q\nwant    %q", err, tt.want)
			}
		})
	}
}

func TestParseRejectsTheSeedPRDForItsDuplicatePhases(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "seed-readme-prd.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = prd.Parse(src)
	if err == nil || !strings.Contains(err.Error(), "phase 1 is declared twice") {
		t.Fatalf("Parse(seed) error = %v, want the duplicate phase 1 named", err)
	}
}

func TestParseReportsNoPhasesAsErrNoPhases(t *testing.T) {
	_, err := prd.Parse([]byte("just text\n"))
	if !errors.Is(err, prd.ErrNoPhases) {
		t.Fatalf("error = %v, want ErrNoPhases", err)
	}
}
