package auditseal_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/auditseal"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

func etcdWitness(t *testing.T) *auditseal.EtcdWitness {
	t.Helper()
	c := etcdtest.New(t, etcdtest.Config{Size: 1})
	w, err := auditseal.OpenEtcdWitness(auditseal.EtcdWitnessConfig{Key: "/etcd-monitor/audit/checkpoint",
		Cluster: clusterconfig.Cluster{Name: "witness", Endpoints: c.ClientConfig().Endpoints,
			DialTimeout: model.Duration(clusterconfig.DefaultDialTimeout), RequestTimeout: model.Duration(clusterconfig.DefaultRequestTimeout)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestEtcdWitnessKeepsOnlyTheNewestCheckpoint(t *testing.T) {
	w := etcdWitness(t)
	ctx := context.Background()
	for _, seq := range []int64{5, 3, 9, 7} {
		if err := w.Publish(ctx, store.Checkpoint{Kind: store.CheckpointHead, Seq: seq, Signature: []byte{1}}); err != nil {
			t.Fatalf("publish %d: %v", seq, err)
		}
	}
	read, err := w.Read(ctx)
	if err != nil || len(read.Checkpoints) != 1 || read.Checkpoints[0].Seq != 9 {
		t.Fatalf("read %+v (%v), want the checkpoint of 9 only", read, err)
	}
}

func TestVerifyFindsTruncationThroughEtcdWitness(t *testing.T) {
	w := etcdWitness(t)
	b := newBoltBackend(t)
	keyFile := filepath.Join(t.TempDir(), "audit.key")
	pub, err := auditseal.GenerateKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auditseal.LoadSigner(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	st := b.open(t)
	s := auditseal.NewSealer(st, signer, w)
	for i := range 3 {
		if _, err := s.AppendAudit(context.Background(), record(2*i), record(2*i+1)); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	b.truncate(t, 4)
	b.deleteCheckpoints(t, 5)
	st = b.open(t)
	defer st.Close()
	r, err := auditseal.Verify(context.Background(), st, pub, w)
	if err != nil {
		t.Fatal(err)
	}
	wantProblem(t, r, 6, "the log ends at 4")
}
