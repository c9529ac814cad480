//go:build !linux

package diskprobe

import "os"

// selfCPU is not measured off Linux.
func selfCPU() float64 { return 0 }

// selfMaxRSS is not measured off Linux.
func selfMaxRSS() int64 { return 0 }

// childRunner is a finished child's (fio's) CPU time.
func childRunner(ps *os.ProcessState) Runner {
	return Runner{CPUSeconds: (ps.UserTime() + ps.SystemTime()).Seconds()}
}
