package opsproxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditlog"
)

// BenchmarkOpsproxy compares GET and PUT through opsproxy (token auth, RBAC, audit to
// PostgreSQL) with the same calls made directly with clientv3, against one in-process
// 3-member cluster, at 1 and 50 concurrent clients. The proxy is called over HTTP/1.1
// (proxy-http1: a connection per concurrent client) and over HTTP/2 without TLS
// (proxy-http2: h2c, all clients over one connection, as clientv3 talks to etcd). Each result
// reports ops/s, p50-ms and p99-ms, and the CPU time each call cost this process (the clients,
// opsproxy and etcd) and PostgreSQL; a proxied PUT also reports how long it waited for its
// audit record (etcd_monitor_opsproxy_audit_wait_seconds). scripts/bench-opsproxy.sh prints
// them side by side.
func BenchmarkOpsproxy(b *testing.B) {
	c := etcdtest.New(b, etcdtest.Config{Size: 3})
	e := newEnv(b, envOptions{cluster: c.Cluster, store: postgresStore})
	editor := e.token(b, TokenSpec{Name: "bench", Role: "editor", KeyPrefixes: []string{"/bench/"}})
	cli := c.Client(b)
	ctx := context.Background()
	const keys = 1000
	value := strings.Repeat("v", 256)
	for i := range keys {
		if _, err := cli.Put(ctx, fmt.Sprintf("/bench/k%04d", i), value); err != nil {
			b.Fatal(err)
		}
	}
	h1, h2c := new(http.Protocols), new(http.Protocols)
	h1.SetHTTP1(true)
	h2c.SetUnencryptedHTTP2(true)
	clients := map[string]*http.Client{
		"http1": {Transport: &http.Transport{MaxIdleConnsPerHost: 200, MaxConnsPerHost: 200, Protocols: h1}},
		"http2": {Transport: &http.Transport{Protocols: h2c}},
	}
	auth := "Bearer " + editor
	proxy := func(hc *http.Client, method, path string, body string) error {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, e.url+path, rd)
		req.Header.Set("Authorization", auth)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return nil
	}
	ops := []struct {
		name   string
		direct func(i int) error
		viaAPI func(hc *http.Client, i int) error
	}{
		{"get", func(i int) error {
			_, err := cli.Get(ctx, fmt.Sprintf("/bench/k%04d", i%keys))
			return err
		}, func(hc *http.Client, i int) error {
			return proxy(hc, "GET", "/api/v1/clusters/c1/keys?key="+url.QueryEscape(fmt.Sprintf("/bench/k%04d", i%keys)), "")
		}},
		{"put", func(i int) error {
			_, err := cli.Put(ctx, fmt.Sprintf("/bench/k%04d", i%keys), value)
			return err
		}, func(hc *http.Client, i int) error {
			return proxy(hc, "PUT", "/api/v1/clusters/c1/keys", fmt.Sprintf(`{"key":"/bench/k%04d","value":%q}`, i%keys, value))
		}},
	}
	// Each direct run is followed at once by its proxy runs with the same clients, so that
	// they see the machine in the same state.
	for _, op := range ops {
		for _, n := range []int{1, 50} {
			b.Run(fmt.Sprintf("%s/direct/clients=%d", op.name, n), func(b *testing.B) {
				runClients(b, n, op.direct)
			})
			for _, proto := range []string{"http1", "http2"} {
				hc := clients[proto]
				b.Run(fmt.Sprintf("%s/proxy-%s/clients=%d", op.name, proto, n), func(b *testing.B) {
					runClients(b, n, func(i int) error { return op.viaAPI(hc, i) }, auditWait(e.srv))
				})
			}
		}
	}
}

// BenchmarkAuditAppend measures the audit path alone: records committed per second to
// PostgreSQL through the group-commit writer, from 50 concurrent requests.
func BenchmarkAuditAppend(b *testing.B) {
	st := openStore(b, postgresStore)
	a := auditlog.New(st, AuditConfig{MaxBatch: DefaultAuditMaxBatch, CommitTimeout: 0}, nil, auditlog.Hooks{}, auditlog.Outage{})
	defer a.Close()
	size, sum := store.ValueDigest([]byte("value"))
	runClients(b, 50, func(i int) error {
		return a.Append(context.Background(), store.AuditRecord{RequestID: fmt.Sprint(i), User: "bench", Cluster: "c1",
			Operation: "keys.put", Key: []byte("/bench/k"), ValueSize: size, ValueSHA256: sum, Outcome: store.OutcomeAttempted})
	})
}

// BenchmarkAuditAppendSealed is BenchmarkAuditAppend with audit sealing: after each committed
// batch, an Ed25519 checkpoint is signed, appended (and synced) to a witness file and inserted
// into the store. Its ratio to BenchmarkAuditAppend is the cost of sealing.
func BenchmarkAuditAppendSealed(b *testing.B) {
	st := openStore(b, postgresStore)
	dir := b.TempDir()
	cfg := auditseal.Config{SigningKeyFile: filepath.Join(dir, "audit.key"),
		Witness: auditseal.WitnessConfig{File: filepath.Join(dir, "witness.jsonl")}}
	if _, err := auditseal.GenerateKey(cfg.SigningKeyFile); err != nil {
		b.Fatal(err)
	}
	log, err := auditlog.Open(st, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	a := auditlog.New(log, AuditConfig{MaxBatch: DefaultAuditMaxBatch, CommitTimeout: 0}, nil, auditlog.Hooks{}, auditlog.Outage{})
	defer a.Close()
	size, sum := store.ValueDigest([]byte("value"))
	runClients(b, 50, func(i int) error {
		return a.Append(context.Background(), store.AuditRecord{RequestID: fmt.Sprint(i), User: "bench", Cluster: "c1",
			Operation: "keys.put", Key: []byte("/bench/k"), ValueSize: size, ValueSHA256: sum, Outcome: store.OutcomeAttempted})
	})
}

// warmupPerClient is how many untimed calls each client makes before a measurement, so that
// connections are open, pools are full and caches are warm on both sides alike.
const warmupPerClient = 20

// runClients runs b.N calls of fn from the given number of goroutines, after a warm-up with
// the same number, and reports throughput, latency percentiles, CPU time per call and what
// the measures given report.
func runClients(b *testing.B, clients int, fn func(i int) error, measures ...measure) {
	var warm sync.WaitGroup
	for range clients {
		warm.Go(func() {
			for i := range warmupPerClient {
				if err := fn(i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	warm.Wait()
	runtime.GC()
	lat := make([][]time.Duration, clients)
	var next atomic.Int64
	var wg sync.WaitGroup
	measures = append(measures, cpuPerCall)
	reports := make([]func(b *testing.B), len(measures))
	b.ResetTimer()
	for i, m := range measures {
		reports[i] = m()
	}
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				t0 := time.Now()
				if err := fn(int(i)); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, report := range reports {
		report(b)
	}
	b.StopTimer()
	all := slices.Concat(lat...)
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(float64(len(all))*p))]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "ops/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
