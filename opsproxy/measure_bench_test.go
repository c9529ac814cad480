package opsproxy

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// A measure is started just before a benchmark's timed calls; what it returns reports its
// figures just after them.
type measure func() (report func(b *testing.B))

// cpuPerCall reports the CPU time (user and system) the calls cost per call: cpu-us/op for
// this process, which holds the clients, opsproxy and the etcd members, and pg-cpu-us/op for
// the PostgreSQL processes of this machine (Linux only; not reported when there are none, as
// when the DSN names another host). On a machine as busy as a benchmark makes it, the CPU a
// call costs decides its throughput more than anything it waits for.
func cpuPerCall() func(b *testing.B) {
	self0, pg0 := processCPU(), postgresCPU()
	return func(b *testing.B) {
		self, pg := processCPU()-self0, postgresCPU()-pg0
		b.ReportMetric(float64(self.Microseconds())/float64(b.N), "cpu-us/op")
		if pg > 0 {
			b.ReportMetric(float64(pg.Microseconds())/float64(b.N), "pg-cpu-us/op")
		}
	}
}

// auditWait reports audit-wait-ms: the mean time a mutating call waited for its audit
// record to be committed before it was sent to etcd. Reads wait for none and report nothing.
func auditWait(s *Server) measure {
	read := func() (sum float64, count uint64) {
		var m dto.Metric
		if err := s.metrics.auditWait.WithLabelValues("keys.put").(prometheus.Metric).Write(&m); err != nil {
			return 0, 0
		}
		return m.GetHistogram().GetSampleSum(), m.GetHistogram().GetSampleCount()
	}
	return func() func(b *testing.B) {
		sum0, count0 := read()
		return func(b *testing.B) {
			sum, count := read()
			if count > count0 {
				b.ReportMetric((sum-sum0)/float64(count-count0)*1000, "audit-wait-ms")
			}
		}
	}
}

// processCPU is the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is the unit of the CPU times in /proc/<pid>/stat (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// postgresCPU is the CPU time the running processes named postgres have used, read from
// /proc; zero where there is no /proc.
func postgresCPU() time.Duration {
	var total time.Duration
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		stat, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ... utime stime: the fields after the comm, which may hold
		// spaces, are split on spaces; utime and stime are the 12th and 13th of them.
		open, end := strings.IndexByte(string(stat), '('), strings.LastIndexByte(string(stat), ')')
		if open < 0 || end < open || !strings.HasPrefix(string(stat[open+1:end]), "postgres") {
			continue
		}
		fields := strings.Fields(string(stat[end+1:]))
		if len(fields) < 13 {
			continue
		}
		utime, err1 := strconv.ParseInt(fields[11], 10, 64)
		stime, err2 := strconv.ParseInt(fields[12], 10, 64)
		if err1 == nil && err2 == nil {
			total += time.Duration(utime+stime) * clockTick
		}
	}
	return total
}
