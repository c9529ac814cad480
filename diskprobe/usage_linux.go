//go:build linux

package diskprobe

import (
	"os"
	"syscall"
	"time"
)

// selfCPU is this process's user and system CPU time so far, in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return cpuSeconds(ru)
}

// selfMaxRSS is this process's peak resident set size in bytes.
func selfMaxRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss << 10 // KiB on Linux
}

// childRunner is a finished child's (fio's) CPU time and peak RSS.
func childRunner(ps *os.ProcessState) Runner {
	r := Runner{CPUSeconds: (ps.UserTime() + ps.SystemTime()).Seconds()}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss << 10
	}
	return r
}

func cpuSeconds(ru syscall.Rusage) float64 {
	return (time.Duration(ru.Utime.Nano()) + time.Duration(ru.Stime.Nano())).Seconds()
}
