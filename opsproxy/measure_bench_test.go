package opsproxy

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/etcd-monitor/etcd-monitor/internal/cputime"
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
	self0, pg0 := cputime.Self(), cputime.Named("postgres")
	return func(b *testing.B) {
		self, pg := cputime.Self()-self0, cputime.Named("postgres")-pg0
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
		if err := s.core.Metrics.AuditWait.WithLabelValues("keys.put").(prometheus.Metric).Write(&m); err != nil {
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
