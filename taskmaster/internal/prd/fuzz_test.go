package prd_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/plan"
	"github.com/etcd-monitor/etcd-monitor/taskmaster/internal/prd"
)

// FuzzParse checks that any input either parses into a well-formed document, the same one
// every time, whose plan survives tasks.json encoding, or fails with an error — never a panic.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("## Phase 1: A\n- x (3h) [P0]\n  - y\n| Feature | Phase |\n|---|---|\n| z | 2 |\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := prd.Parse(src)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		checkDocument(t, doc)
		again, err := prd.Parse(src)
		if err != nil || !reflect.DeepEqual(doc, again) {
			t.Fatalf("second parse differs: %v", err)
		}
		p, err := plan.Build(doc, plan.Options{Project: "fuzz", Version: "1.0.0", Source: "PRD.md"})
		if err != nil {
			return
		}
		data, err := plan.Encode(p)
		if err != nil {
			t.Fatal(err)
		}
		back, err := plan.Decode(data)
		if err != nil {
			t.Fatalf("decode of encoded plan: %v", err)
		}
		if !reflect.DeepEqual(p, back) {
			t.Fatal("plan changed in an encode/decode round trip")
		}
	})
}

func checkDocument(t *testing.T, doc *prd.Document) {
	t.Helper()
	if len(doc.Phases) == 0 {
		t.Fatal("parsed document has no phases")
	}
	for i, ph := range doc.Phases {
		if ph.Number < 1 || (i > 0 && ph.Number <= doc.Phases[i-1].Number) {
			t.Fatalf("phase numbers not ascending and positive: %d after index %d", ph.Number, i)
		}
		if ph.Name == "" || len(ph.Features) == 0 {
			t.Fatalf("phase %d has no name or no features", ph.Number)
		}
		for _, f := range ph.Features {
			if f.Title == "" || f.Hours < 0 || f.Line < 1 {
				t.Fatalf("bad feature %+v", f)
			}
			if f.Priority != "" && !slices.Contains(prd.Priorities, f.Priority) {
				t.Fatalf("feature priority %q", f.Priority)
			}
			for _, r := range f.Requirements {
				if r.Title == "" || r.Hours < 0 || r.Line < 1 {
					t.Fatalf("bad requirement %+v", r)
				}
			}
		}
	}
}
