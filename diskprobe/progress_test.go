package diskprobe

import (
	"bytes"
	"strings"
	"testing"
)

func TestProgressOffATerminalPrintsALineEveryTenth(t *testing.T) {
	var b bytes.Buffer
	d := newProgressDisplay(&b)
	for done := int64(0); done <= 1000; done += 7 {
		d.update(done, 1000)
	}
	d.update(1000, 1000)
	d.finish()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 11 || lines[0] != "progress: 0/1000 (0%)" || lines[10] != "progress: 1000/1000 (100%)" {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
}
