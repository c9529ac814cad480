package diskprobe

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/cheggaaa/pb/v3"
	"github.com/mattn/go-isatty"
)

// progressDisplay shows a probe's progress: a bar on a terminal, otherwise a plain line at
// every tenth of the way, so logs of scripted runs stay short.
type progressDisplay struct {
	w   io.Writer
	tty bool

	mu        sync.Mutex
	bar       *pb.ProgressBar
	lastTenth int64
}

func newProgressDisplay(w io.Writer) *progressDisplay {
	d := &progressDisplay{w: w, lastTenth: -1}
	if f, ok := w.(*os.File); ok {
		d.tty = isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return d
}

// update is an Options.Progress callback.
func (d *progressDisplay) update(done, total int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.tty {
		tenth := int64(0)
		if total > 0 {
			tenth = 10 * done / total
		}
		if tenth != d.lastTenth {
			d.lastTenth = tenth
			fmt.Fprintf(d.w, "progress: %d/%d (%d%%)\n", done, total, tenth*10)
		}
		return
	}
	if d.bar == nil {
		d.bar = pb.New64(total).SetWriter(d.w).Start()
	}
	d.bar.SetCurrent(done)
}

// finish ends the bar before the report is printed.
func (d *progressDisplay) finish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bar != nil {
		d.bar.Finish()
		d.bar = nil
	}
}
