package backup

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/procmem"
)

// BenchmarkSnapshotSave compares our snapshot save (Backup into a directory, unencrypted) with
// etcdctl snapshot save on the same cluster, alternating, one of each per iteration. The member
// runs in its own process so that this process's RSS is the engine's alone. Environment:
// BACKUP_BENCH_MIB is the database size to fill (default 256); ETCDCTL is an etcdctl binary
// (scripts/bench-backup.sh builds 3.7.3) — without it the reference is etcdctl's save code
// (clientv3/snapshot.SaveWithVersion) run in-process. Reported: MiB/s of each (save phase;
// whole-backup also with the verification that re-reads the stored copy), their ratio, and the
// peak memory (all resident, and anonymous alone) of this process during our backups and of the
// etcdctl process.
func BenchmarkSnapshotSave(b *testing.B) {
	mib := 256
	if v, err := strconv.Atoi(os.Getenv("BACKUP_BENCH_MIB")); err == nil && v > 0 {
		mib = v
	}
	c := etcdtest.New(b, etcdtest.Config{Size: 1, ProcessPerMember: true, QuotaBackendBytes: int64(mib+512) << 20})
	cli := c.Client(b)
	fillMiB(b, cli, mib)
	dir := b.TempDir()
	e, err := New(Config{Cluster: "bench", Conn: connectB(b, c.Endpoints()), Location: mustDirB(b, dir), ScratchDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	etcdctl := os.Getenv("ETCDCTL")
	var ours, oursTotal, ref time.Duration
	var size int64
	var oursRSS, oursAnon, refRSS, refAnon int64
	_, anonBefore := procmem.Read("/proc/self/status")
	b.ResetTimer()
	for i := range b.N {
		// Ours.
		peak, stop := procmem.Sample("/proc/self/status")
		rec, err := e.Backup(context.Background())
		stop()
		if err != nil {
			b.Fatal(err)
		}
		ours += time.Duration(rec.SaveSeconds * float64(time.Second))
		oursTotal += rec.FinishedAt.Sub(rec.StartedAt)
		size = rec.SnapshotSize
		oursRSS, oursAnon = max(oursRSS, peak.Total.Load()), max(oursAnon, peak.Anon.Load())
		os.Remove(filepath.Join(dir, rec.Name))
		// etcdctl.
		out := filepath.Join(dir, fmt.Sprintf("etcdctl-%d.db", i))
		start := time.Now()
		if etcdctl != "" {
			// Sampled from /proc: the child's ru_maxrss would count this process's memory, which
			// the child shares from the fork until its exec.
			cmd := exec.Command(etcdctl, "--endpoints", strings.Join(c.Endpoints(), ","), "snapshot", "save", out)
			var msg strings.Builder
			cmd.Stdout, cmd.Stderr = &msg, &msg
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			peak, stop := procmem.Sample(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
			err := cmd.Wait()
			stop()
			if err != nil {
				b.Fatalf("etcdctl: %v\n%s", err, msg.String())
			}
			refRSS, refAnon = max(refRSS, peak.Total.Load()), max(refAnon, peak.Anon.Load())
		} else {
			cfg := c.ClientConfig()
			cfg.Logger = zap.NewNop()
			if _, err := snapshot.SaveWithVersion(context.Background(), zap.NewNop(), cfg, out); err != nil {
				b.Fatal(err)
			}
		}
		ref += time.Since(start)
		os.Remove(out)
	}
	b.StopTimer()
	n := float64(b.N)
	mb := float64(size) / (1 << 20)
	b.ReportMetric(float64(size)/(1<<20), "db-MiB")
	b.ReportMetric(mb*n/ours.Seconds(), "ours-save-MiB/s")
	b.ReportMetric(mb*n/oursTotal.Seconds(), "ours-backup+verify-MiB/s")
	b.ReportMetric(mb*n/ref.Seconds(), "etcdctl-MiB/s")
	b.ReportMetric(ref.Seconds()/ours.Seconds(), "save-throughput-ratio")
	b.ReportMetric(float64(oursRSS)/1024, "ours-peak-rss-MiB")
	b.ReportMetric(float64(oursAnon)/1024, "ours-peak-anon-MiB")
	b.ReportMetric(float64(anonBefore)/1024, "ours-anon-before-MiB")
	if etcdctl != "" {
		b.ReportMetric(float64(refRSS)/1024, "etcdctl-peak-rss-MiB")
		b.ReportMetric(float64(refAnon)/1024, "etcdctl-peak-anon-MiB")
	}
}

// fillMiB writes about mib MiB of values (64 KiB each, in parallel).
func fillMiB(b *testing.B, cli *clientv3.Client, mib int) {
	val := strings.Repeat("x", 64<<10)
	n := mib * 16
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				if _, err := cli.Put(context.Background(), fmt.Sprintf("bench/%08d", i), val); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}
