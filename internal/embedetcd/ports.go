package embedetcd

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// The range ports are handed out from when the kernel's ephemeral range allows it (see doc.go).
const (
	portsLow  = 20000
	portsHigh = 32767
	// minPorts is the smallest range worth using instead of the fallback.
	minPorts = 1000
)

var (
	portsMu sync.Mutex
	// portsHeld are the ports this process handed out, each with the open lock file whose flock
	// keeps other processes off it until this process exits.
	portsHeld = map[int]*os.File{}
	// portRange is where ports come from; tests narrow it to force processes to compete.
	portRange = sync.OnceValues(func() (int, int) { return allocRange(ephemeralRange()) })
)

// FreePort returns a loopback TCP port for an etcd member (or anything else a test starts later):
// no process using this package holds it while this process lives, it is outside the kernel's
// ephemeral range so that no outgoing connection takes it, and it could be bound a moment ago.
func FreePort() (int, error) {
	portsMu.Lock()
	defer portsMu.Unlock()
	dir, err := lockDir()
	if err != nil {
		return 0, err
	}
	lo, hi := portRange()
	n := hi - lo + 1
	start := rand.IntN(n)
	for i := range n {
		port := lo + (start+i)%n
		if portsHeld[port] != nil {
			continue
		}
		f, err := lockPort(dir, port)
		if err != nil {
			return 0, err
		}
		if f == nil {
			continue
		}
		if !bindable(port) {
			f.Close()
			continue
		}
		portsHeld[port] = f
		return port, nil
	}
	return 0, fmt.Errorf("find a free port: none left in %d-%d", lo, hi)
}

// lockDir is the directory of the per-port lock files, shared by every user of the machine.
func lockDir() (string, error) {
	dir := filepath.Join(os.TempDir(), "embedetcd-ports")
	switch err := os.Mkdir(dir, 0o777); {
	case err == nil:
		// World-writable and sticky like /tmp, whatever the umask.
		if err := os.Chmod(dir, 0o777|fs.ModeSticky); err != nil {
			return "", fmt.Errorf("port lock directory: %w", err)
		}
	case !errors.Is(err, fs.ErrExist):
		return "", fmt.Errorf("port lock directory: %w", err)
	}
	return dir, nil
}

// lockPort takes the port's lock without waiting. It returns nil and no error when another process
// holds the lock, or when the lock file belongs to another user who keeps it from us.
func lockPort(dir string, port int) (*os.File, error) {
	path := filepath.Join(dir, strconv.Itoa(port)+".lock")
	// Lock files are never removed: removing one while another process opens it would let two
	// processes hold "the" lock at once.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o666)
	if errors.Is(err, fs.ErrPermission) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock port %d: %w", port, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("lock port %d: %w", port, err)
	}
	return f, nil
}

// bindable reports whether the port can be listened on right now (a program outside this scheme
// may be using it).
func bindable(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// ephemeralRange is the range the kernel picks source ports and port-0 binds from, Linux's
// default when it cannot be read.
func ephemeralRange() (int, int) {
	lo, hi := 32768, 60999
	raw, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return lo, hi
	}
	f := strings.Fields(string(raw))
	if len(f) != 2 {
		return lo, hi
	}
	l, err1 := strconv.Atoi(f[0])
	h, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return lo, hi
	}
	return l, h
}

// allocRange returns the range to hand ports out from: portsLow-portsHigh cut below the ephemeral
// range, else as much above it, else (an ephemeral range covering nearly everything)
// portsLow-portsHigh anyway, where the locks still keep allocators apart.
func allocRange(ephLo, ephHi int) (int, int) {
	if hi := min(portsHigh, ephLo-1); hi-portsLow+1 >= minPorts {
		return portsLow, hi
	}
	if lo, hi := ephHi+1, min(65535, ephHi+1+portsHigh-portsLow); hi-lo+1 >= minPorts {
		return lo, hi
	}
	return portsLow, portsHigh
}
