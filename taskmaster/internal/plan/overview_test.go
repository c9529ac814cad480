package plan

import (
	"strings"
	"testing"
)

func TestOverviewHasARowPerPhaseAndATotal(t *testing.T) {
	p, err := Build(doc, Options{Project: "x", Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	got := Overview(p)
	for _, want := range []string{
		"| 1. MVP | — | 2 | 2 | 11 |\n",
		"| 3. Later | — | 1 | 0 | 8 |\n",
		"| **Total: 2 phases** | | **3** | **2** | **19** |\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("overview lacks %q:\n%s", want, got)
		}
	}
}
