package progressbar

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openTerminal opens a pseudo-terminal: the display writes to its terminal side and the
// test reads what a terminal would show from the other.
func openTerminal(t *testing.T) (term, reader *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetUint32(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("number of the pseudo-terminal: %v", err)
	}
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open its terminal side: %v", err)
	}
	return term, master
}

func TestOnATerminalDrawsABarAndNoLines(t *testing.T) {
	term, reader := openTerminal(t)
	shown := make(chan string)
	go func() {
		var b bytes.Buffer
		// Reading ends with an error (EIO) once the terminal side is closed.
		_, _ = io.Copy(&b, reader)
		shown <- b.String()
	}()

	updates(New(term, EveryTenth), 7, 1000)
	term.Close()
	out := <-shown
	if strings.Contains(out, "progress:") {
		t.Errorf("plain lines on a terminal:\n%q", out)
	}
	if !strings.Contains(out, "1000 / 1000") || !strings.Contains(out, "100.00%") {
		t.Errorf("no finished bar:\n%q", out)
	}
}
