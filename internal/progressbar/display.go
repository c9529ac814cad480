package progressbar

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/cheggaaa/pb/v3"
	"github.com/mattn/go-isatty"
)

// Lines is what a Display writes when w is not a terminal.
type Lines int

const (
	// EveryUpdate writes a line per update, its percentage rounded: for runs that report
	// progress seldom (bench updates about once a second).
	EveryUpdate Lines = iota
	// EveryTenth writes a line only when progress reaches a new tenth of the total, its
	// percentage rounded down (a line never claims a tenth not yet reached): for runs that
	// report progress often (diskprobe's native engine updates ten times a second).
	EveryTenth
)

// Display shows one run's progress on w. Update and Finish may be called from any goroutine.
type Display struct {
	w     io.Writer
	tty   bool
	lines Lines

	mu        sync.Mutex
	bar       *pb.ProgressBar
	lastTenth int64
}

// New makes a display on w: a bar when w is a terminal, else plain lines as lines says.
func New(w io.Writer, lines Lines) *Display {
	d := &Display{w: w, lines: lines, lastTenth: -1}
	if f, ok := w.(*os.File); ok {
		d.tty = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return d
}

// Update shows done of total; it fits the Progress callbacks of diskprobe's and bench's
// Options.
func (d *Display) Update(done, total int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.tty {
		d.writeLine(done, total)
		return
	}
	if d.bar == nil {
		d.bar = pb.New64(total).SetWriter(d.w).Start()
	}
	d.bar.SetCurrent(done)
}

// writeLine writes the plain line for done of total, if d.lines asks for one now.
func (d *Display) writeLine(done, total int64) {
	switch d.lines {
	case EveryTenth:
		tenth := int64(0)
		if total > 0 {
			tenth = 10 * done / total
		}
		if tenth == d.lastTenth {
			return
		}
		d.lastTenth = tenth
		fmt.Fprintf(d.w, "progress: %d/%d (%d%%)\n", done, total, 100*done/max(total, 1))
	default:
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(done) / float64(total)
		}
		fmt.Fprintf(d.w, "progress: %d/%d (%.0f%%)\n", done, total, pct)
	}
}

// Finish ends the bar, leaving its line complete, so that what is printed next (the
// report) starts on a line of its own. An Update after Finish starts a new bar.
func (d *Display) Finish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bar != nil {
		d.bar.Finish()
		d.bar = nil
	}
}
