package benchrunner

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	mathrand "math/rand/v2"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// runCommand runs the prepared command's load and returns its figures.
func runCommand(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, c *connections) (runFigures, error) {
	switch p.cmd.Name {
	case "put":
		return runPut(ctx, cancel, p, c)
	case "range":
		return runRange(ctx, cancel, p, c)
	case "txn-put":
		return runTxnPut(ctx, cancel, p, c)
	case "txn-mixed":
		return runTxnMixed(ctx, cancel, p, c)
	case "watch":
		return runWatch(ctx, cancel, p, c)
	case "watch-latency":
		return runWatchLatency(ctx, cancel, p, c)
	case "lease-keepalive":
		return runLeaseKeepalive(ctx, cancel, p, c)
	}
	return runFigures{}, fmt.Errorf("unknown command %q for \"benchmark\"", p.cmd.Name)
}

// benchKey is etcd's key: key-size bytes holding n as a varint, here under the prefix.
func benchKey(prefix string, keySize int, n int64) string {
	k := make([]byte, keySize)
	binary.PutVarint(k, n)
	return prefix + string(k)
}

// randomValue is size random bytes, as etcd's mustRandBytes.
func randomValue(size int) string {
	b := make([]byte, size)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return string(b)
}

// simpleLoad runs a single-phase load of total requests.
func simpleLoad(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, clients []*clientv3.Client, total int64, rate int, do request) runFigures {
	prog := &progress{total: total, fn: p.o.Progress}
	stop := prog.start()
	feed := newSampleFeed(p.o.OnSample)
	defer feed.stop()
	l := &load{clients: clients, total: total, rate: rate, main: newRecorder(time.Now()), do: do, progress: prog}
	l.main.live = feed
	l.run(ctx, cancel)
	stop()
	return runFigures{main: l.main.finish(time.Now())}
}

func runPut(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, c *connections) (runFigures, error) {
	f := p.flags
	keySize, kss, seq := f.int("key-size"), int64(f.int("key-space-size")), f.bool("sequential-keys")
	value := randomValue(f.int("val-size"))
	if iv := f.duration("compact-interval"); iv > 0 {
		go compactEvery(ctx, cancel, c.conns[0], iv, int64(f.int("compact-index-delta")))
	}
	figs := simpleLoad(ctx, cancel, p, c.clients, int64(f.int("total")), f.int("rate"),
		func(ctx context.Context, cli *clientv3.Client, slot int64) (int, error) {
			n := slot % kss
			if !seq {
				n = mathrand.Int64N(kss)
			}
			_, err := cli.Do(ctx, clientv3.OpPut(benchKey(p.prefix, keySize, n), value))
			return -1, err
		})
	if f.bool("check-hashkv") && ctx.Err() == nil {
		h, err := hashKV(ctx, c.conns[0], p.client.Endpoints[0])
		if err != nil {
			return figs, err
		}
		figs.hashKV = h
	}
	return figs, nil
}

// compactEvery compacts the cluster every interval to delta revisions behind the current one,
// as etcd's put --compact-interval does; a failed compaction ends the run.
func compactEvery(ctx context.Context, cancel context.CancelCauseFunc, cli *clientv3.Client, every time.Duration, delta int64) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rctx, rcancel := context.WithTimeout(ctx, requestTimeout)
		resp, err := cli.Get(rctx, "foo")
		if err == nil {
			_, err = cli.Compact(rctx, max(0, resp.Header.Revision-delta))
		}
		rcancel()
		if err != nil && ctx.Err() == nil {
			cancel(fmt.Errorf("--compact-interval: compaction failed: %w", err))
			return
		}
	}
}

// hashKV is put --check-hashkv's summary of the first endpoint.
func hashKV(ctx context.Context, cli *clientv3.Client, endpoint string) (*HashKV, error) {
	rctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	st := time.Now()
	h, err := cli.HashKV(rctx, endpoint, 0)
	if err != nil {
		return nil, fmt.Errorf("--check-hashkv: failed to get the hashkv of endpoint %s: %w", endpoint, err)
	}
	took := time.Since(st)
	s, err := cli.Status(rctx, endpoint)
	if err != nil {
		return nil, fmt.Errorf("--check-hashkv: failed to get the status of endpoint %s: %w", endpoint, err)
	}
	return &HashKV{Hash: h.Hash, Endpoint: endpoint, Took: took, DBSize: s.DbSize}, nil
}

func runRange(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, c *connections) (runFigures, error) {
	f := p.flags
	key, end := p.args[0], ""
	if len(p.args) == 2 {
		end = p.args[1]
	}
	opts := []clientv3.OpOption{clientv3.WithRange(end), clientv3.WithLimit(int64(f.int("limit")))}
	if f.bool("count-only") {
		opts = append(opts, clientv3.WithCountOnly())
	}
	if f.str("consistency") == "s" {
		opts = append(opts, clientv3.WithSerializable())
	}
	op := clientv3.OpGet(key, opts...)
	return simpleLoad(ctx, cancel, p, c.clients, int64(f.int("total")), f.int("rate"),
		func(ctx context.Context, cli *clientv3.Client, _ int64) (int, error) {
			_, err := cli.Do(ctx, op)
			return -1, err
		}), nil
}

func runTxnPut(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, c *connections) (runFigures, error) {
	f := p.flags
	keySize, kss, perTxn := f.int("key-size"), int64(f.int("key-space-size")), int64(f.int("txn-ops"))
	value := randomValue(f.int("val-size"))
	return simpleLoad(ctx, cancel, p, c.clients, int64(f.int("total")), f.int("rate"),
		func(ctx context.Context, cli *clientv3.Client, slot int64) (int, error) {
			ops := make([]clientv3.Op, perTxn)
			for j := range ops {
				ops[j] = clientv3.OpPut(benchKey(p.prefix, keySize, (slot*perTxn+int64(j))%kss), value)
			}
			_, err := cli.Txn(ctx).Then(ops...).Commit()
			return -1, err
		}), nil
}

// Phases of txn-mixed.
const (
	phaseRead = iota
	phaseWrite
)

func runTxnMixed(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, c *connections) (runFigures, error) {
	f := p.flags
	keySize, kss := f.int("key-size"), int64(f.int("key-space-size"))
	value := randomValue(f.int("val-size"))
	ratio := f.float("rw-ratio")
	// etcd 3.6 reads the whole key space (its WithPrefix overrides --end-key); ours reads the
	// benchmark's prefix, with the same limit.
	readOpts := []clientv3.OpOption{clientv3.WithPrefix(), clientv3.WithLimit(int64(f.int("limit")))}
	if f.str("consistency") == "s" {
		readOpts = append(readOpts, clientv3.WithSerializable())
	}
	total := int64(f.int("total"))
	prog := &progress{total: total, fn: p.o.Progress}
	stop := prog.start()
	now := time.Now()
	l := &load{
		clients: c.clients, total: total, rate: f.int("rate"), progress: prog,
		main: newRecorder(now), phases: []*recorder{newRecorder(now), newRecorder(now)},
		do: func(ctx context.Context, cli *clientv3.Client, slot int64) (int, error) {
			if mathrand.Float64() < ratio/(1+ratio) {
				_, err := cli.Txn(ctx).Then(clientv3.OpGet(p.prefix, readOpts...)).Commit()
				return phaseRead, err
			}
			_, err := cli.Txn(ctx).Then(clientv3.OpPut(benchKey(p.prefix, keySize, slot%kss), value)).Commit()
			return phaseWrite, err
		},
	}
	feed := newSampleFeed(p.o.OnSample)
	defer feed.stop()
	l.main.live = feed
	l.run(ctx, cancel)
	stop()
	end := time.Now()
	return runFigures{main: l.main.finish(end), phases: []namedFigures{
		{"read", l.phases[phaseRead].finish(end)},
		{"write", l.phases[phaseWrite].finish(end)},
	}}, nil
}

func runLeaseKeepalive(ctx context.Context, cancel context.CancelCauseFunc, p *prepared, c *connections) (runFigures, error) {
	leases := make(map[*clientv3.Client]clientv3.LeaseID, len(c.conns))
	for _, cli := range c.clients {
		if _, ok := leases[cli]; ok {
			continue
		}
		rctx, rcancel := context.WithTimeout(ctx, requestTimeout)
		resp, err := cli.Grant(rctx, 100)
		rcancel()
		if err != nil {
			return runFigures{}, fmt.Errorf("lease-keepalive: granting a lease: %w", err)
		}
		leases[cli] = resp.ID
		c.addLease(resp.ID)
	}
	return simpleLoad(ctx, cancel, p, c.clients, int64(p.flags.int("total")), 0,
		func(ctx context.Context, cli *clientv3.Client, _ int64) (int, error) {
			_, err := cli.KeepAliveOnce(ctx, leases[cli])
			return -1, err
		}), nil
}
