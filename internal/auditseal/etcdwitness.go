package auditseal

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// EtcdWitness keeps the newest checkpoint under one key of an etcd cluster
// that the database's writers cannot write. Several processes may publish
// to the same key: it only ever moves to a higher Seq.
type EtcdWitness struct {
	cli     *clientv3.Client
	key     string
	name    string
	timeout time.Duration
}

var _ Witness = (*EtcdWitness)(nil)

// maxPublishAttempts bounds the compare-and-swap retries of one Publish.
const maxPublishAttempts = 20

// OpenEtcdWitness connects to the cluster cfg names.
func OpenEtcdWitness(cfg EtcdWitnessConfig) (*EtcdWitness, error) {
	cc, err := cfg.Cluster.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("etcd witness %s: %w", cfg.Cluster.Name, err)
	}
	cli, err := clientv3.New(cc)
	if err != nil {
		return nil, fmt.Errorf("etcd witness %s: %w", cfg.Cluster.Name, err)
	}
	return &EtcdWitness{cli: cli, key: cfg.Key, name: cfg.Cluster.Name, timeout: time.Duration(cfg.Cluster.RequestTimeout)}, nil
}

// Name implements Witness.
func (w *EtcdWitness) Name() string { return fmt.Sprintf("etcd %s key %q", w.name, w.key) }

// Publish implements Witness: it puts c unless the key holds a checkpoint
// with the same or a higher Seq.
func (w *EtcdWitness) Publish(ctx context.Context, c store.Checkpoint) error {
	val, err := json.Marshal(&c)
	if err != nil {
		return fmt.Errorf("encode checkpoint %d: %w", c.Seq, err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	for range maxPublishAttempts {
		cur, rev, err := w.get(ctx)
		if err != nil {
			return fmt.Errorf("publish checkpoint %d to %s: %w", c.Seq, w.Name(), err)
		}
		if cur != nil && cur.Seq >= c.Seq {
			return nil
		}
		resp, err := w.cli.Txn(ctx).If(clientv3.Compare(clientv3.ModRevision(w.key), "=", rev)).
			Then(clientv3.OpPut(w.key, string(val))).Commit()
		if err != nil {
			return fmt.Errorf("publish checkpoint %d to %s: %w", c.Seq, w.Name(), err)
		}
		if resp.Succeeded {
			return nil
		}
	}
	return fmt.Errorf("publish checkpoint %d to %s: the key kept changing", c.Seq, w.Name())
}

// get returns the checkpoint under the key (nil when there is none or it
// is not one) and the key's mod revision (0 when missing).
func (w *EtcdWitness) get(ctx context.Context) (*store.Checkpoint, int64, error) {
	resp, err := w.cli.Get(ctx, w.key)
	if err != nil {
		return nil, 0, err
	}
	if len(resp.Kvs) == 0 {
		return nil, 0, nil
	}
	kv := resp.Kvs[0]
	var c store.Checkpoint
	if err := json.Unmarshal(kv.Value, &c); err != nil {
		return nil, kv.ModRevision, nil
	}
	return &c, kv.ModRevision, nil
}

// Read implements Witness: the one checkpoint under the key.
func (w *EtcdWitness) Read(ctx context.Context) (WitnessRead, error) {
	ctx, cancel := context.WithTimeout(ctx, w.timeout)
	defer cancel()
	resp, err := w.cli.Get(ctx, w.key)
	if err != nil {
		return WitnessRead{}, fmt.Errorf("read %s: %w", w.Name(), err)
	}
	var out WitnessRead
	for _, kv := range resp.Kvs {
		var c store.Checkpoint
		if err := json.Unmarshal(kv.Value, &c); err != nil {
			out.Damaged = append(out.Damaged, fmt.Sprintf("value is not a checkpoint: %v", err))
			continue
		}
		out.Checkpoints = append(out.Checkpoints, c)
	}
	return out, nil
}

// Close implements Witness.
func (w *EtcdWitness) Close() error {
	if err := w.cli.Close(); err != nil {
		return fmt.Errorf("close %s: %w", w.Name(), err)
	}
	return nil
}
