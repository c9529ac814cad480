package progressbar

import (
	"bytes"
	"strings"
	"testing"
)

// updates feeds d the steps of a run of total in steps of step, and the final total.
func updates(d *Display, step, total int64) {
	for done := int64(0); done <= total; done += step {
		d.Update(done, total)
	}
	d.Update(total, total)
	d.Finish()
}

func TestOffATerminalEveryTenthPrintsALineEachTenth(t *testing.T) {
	var b bytes.Buffer
	updates(New(&b, EveryTenth), 7, 1000)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 11 || lines[0] != "progress: 0/1000 (0%)" || lines[10] != "progress: 1000/1000 (100%)" {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
}

func TestOffATerminalEveryUpdatePrintsALinePerUpdate(t *testing.T) {
	var b bytes.Buffer
	updates(New(&b, EveryUpdate), 1, 3)
	want := "progress: 0/3 (0%)\nprogress: 1/3 (33%)\nprogress: 2/3 (67%)\nprogress: 3/3 (100%)\nprogress: 3/3 (100%)\n"
	if b.String() != want {
		t.Fatalf("got\n%swant\n%s", b.String(), want)
	}
}

// The percentage of a line rounds per update and rounds down per tenth, as bench and
// diskprobe have always printed it.
func TestOffATerminalPercentages(t *testing.T) {
	for _, tc := range []struct {
		lines       Lines
		done, total int64
		want        string
	}{
		{EveryUpdate, 2, 3, "progress: 2/3 (67%)\n"},
		{EveryTenth, 2, 3, "progress: 2/3 (66%)\n"},
		{EveryUpdate, 1999, 2000, "progress: 1999/2000 (100%)\n"},
		{EveryTenth, 1999, 2000, "progress: 1999/2000 (99%)\n"},
		{EveryUpdate, 0, 0, "progress: 0/0 (0%)\n"},
		{EveryTenth, 0, 0, "progress: 0/0 (0%)\n"},
	} {
		var b bytes.Buffer
		New(&b, tc.lines).Update(tc.done, tc.total)
		if b.String() != tc.want {
			t.Errorf("lines %d, %d/%d: got %q, want %q", tc.lines, tc.done, tc.total, b.String(), tc.want)
		}
	}
}

func TestFinishWithoutABarWritesNothing(t *testing.T) {
	var b bytes.Buffer
	New(&b, EveryUpdate).Finish()
	if b.Len() != 0 {
		t.Fatalf("wrote %q", b.String())
	}
}
