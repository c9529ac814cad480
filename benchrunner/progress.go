package benchrunner

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/cheggaaa/pb/v3"
	"github.com/mattn/go-isatty"
)

// progressDisplay shows a run's progress: a bar when w is a terminal (as etcd's tool does),
// otherwise a plain line per update, so logs of scripted runs stay readable.
type progressDisplay struct {
	w   io.Writer
	tty bool

	mu  sync.Mutex
	bar *pb.ProgressBar
}

func newProgressDisplay(w io.Writer) *progressDisplay {
	d := &progressDisplay{w: w}
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
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(done) / float64(total)
		}
		fmt.Fprintf(d.w, "progress: %d/%d (%.0f%%)\n", done, total, pct)
		return
	}
	if d.bar == nil {
		d.bar = pb.New64(total).SetWriter(d.w).Start()
	}
	d.bar.SetCurrent(done)
}

// finish ends the bar, leaving the line complete before the report is printed.
func (d *progressDisplay) finish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bar != nil {
		d.bar.Finish()
		d.bar = nil
	}
}
