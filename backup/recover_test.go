package backup

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
)

func freeURL(t *testing.T) string {
	t.Helper()
	p, err := embedetcd.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", p)
}

// startRecovered starts the members of a recovered cluster in this process, each on its new data
// directory, as the runbook says: the same --initial-cluster and token as the recovery used.
func startRecovered(t *testing.T, opts RecoverOptions) []string {
	t.Helper()
	var initial []string
	for _, m := range opts.Members {
		initial = append(initial, m.Name+"="+m.PeerURLs[0])
	}
	var clientURLs []string
	var cfgs []*embed.Config
	for _, m := range opts.Members {
		cu, _ := url.Parse(freeURL(t))
		pu, _ := url.Parse(m.PeerURLs[0])
		cfg := embed.NewConfig()
		cfg.Name, cfg.Dir = m.Name, m.DataDir
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
		cfg.InitialCluster = strings.Join(initial, ",")
		cfg.InitialClusterToken = opts.Token
		cfg.EnableGRPCGateway = false
		cfg.TickMs, cfg.ElectionMs = 50, 500
		cfg.UnsafeNoFsync = true
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		cfgs = append(cfgs, cfg)
		clientURLs = append(clientURLs, cu.String())
	}
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		wg.Go(func() {
			e, err := embed.StartEtcd(cfg)
			if err != nil {
				errs[i] = err
				return
			}
			t.Cleanup(e.Close)
			select {
			case <-e.Server.ReadyNotify():
			case err := <-e.Err():
				errs[i] = err
			case <-time.After(60 * time.Second):
				errs[i] = errors.New("not ready after 60s")
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return clientURLs
}

func TestRecoverBringsUpAThreeMemberClusterWithTheBackupsData(t *testing.T) {
	ctx := ctxFor(t)
	e, cli := sharedEngine(t, newDir(t), nil)
	prefix := clusterName(t)
	fill(t, cli, prefix, 250, 100)
	rec, err := e.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base := t.TempDir()
	opts := RecoverOptions{Token: "recovered", BumpRevision: 1_000_000, MarkCompacted: true}
	for i := range 3 {
		name := fmt.Sprintf("r%d", i)
		opts.Members = append(opts.Members, RecoverMember{Name: name, PeerURLs: []string{freeURL(t)}, DataDir: filepath.Join(base, name)})
	}
	rr, err := e.Recover(ctx, rec.Name, &rec, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(rr.DataDirs) != 3 || rr.Status.Revision != rec.Status.Revision {
		t.Fatalf("recover %+v", rr)
	}
	noScratchLeft(t, e)
	urls := startRecovered(t, opts)
	rc, err := clientv3.New(clientv3.Config{Endpoints: urls, DialTimeout: 10 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := rc.Get(ctx, prefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil || got.Count != 250 {
		t.Fatalf("restored keys under %s: %v, %v", prefix, got, err)
	}
	if got.Header.Revision < rec.Status.Revision+1_000_000 {
		t.Fatalf("revision %d after a bump of 1000000 from %d", got.Header.Revision, rec.Status.Revision)
	}
	// Marked compacted: a watcher resuming from an old revision is told to re-list.
	if _, err := rc.Get(ctx, prefix+"/000001", clientv3.WithRev(rec.Status.Revision)); !errors.Is(err, rpctypes.ErrCompacted) {
		t.Fatalf("read at the old revision: %v", err)
	}
	members, err := rc.MemberList(ctx)
	if err != nil || len(members.Members) != 3 {
		t.Fatalf("members: %v, %v", members, err)
	}
	// Every member holds the same data: the same HashKV at the latest revision.
	var hashes []uint32
	for _, u := range urls {
		hk, err := rc.HashKV(ctx, u, 0)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hk.Hash)
	}
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		t.Fatalf("members differ: %v", hashes)
	}
	if _, err := rc.Put(ctx, prefix+"/after", "x"); err != nil {
		t.Fatalf("the recovered cluster does not take writes: %v", err)
	}
}

func TestRecoverRejectsBadOptionsNamingTheField(t *testing.T) {
	existing := t.TempDir()
	ok := func() RecoverMember {
		return RecoverMember{Name: "m0", PeerURLs: []string{"http://10.0.0.1:2380"}, DataDir: filepath.Join(t.TempDir(), "new")}
	}
	for _, tc := range []struct {
		name string
		mod  func(o *RecoverOptions)
		want string
	}{
		{"no members", func(o *RecoverOptions) { o.Members = nil }, "members: must not be empty"},
		{"bad name", func(o *RecoverOptions) { o.Members[0].Name = "a/b" }, `members[0].name "a/b"`},
		{"name twice", func(o *RecoverOptions) { o.Members = append(o.Members, o.Members[0]) }, `members[1].name "m0": given twice`},
		{"no peer url", func(o *RecoverOptions) { o.Members[0].PeerURLs = nil }, "members[0].peer_urls: must not be empty"},
		{"bad peer url", func(o *RecoverOptions) { o.Members[0].PeerURLs = []string{"10.0.0.1:2380"} }, `members[0].peer_urls[0] "10.0.0.1:2380"`},
		{"no data dir", func(o *RecoverOptions) { o.Members[0].DataDir = "" }, "members[0].data_dir: must not be empty"},
		{"data dir exists", func(o *RecoverOptions) { o.Members[0].DataDir = existing }, "exists; recovery only writes new directories"},
		{"bump without mark", func(o *RecoverOptions) { o.BumpRevision = 10 }, "mark_compacted: must be set with bump_revision"},
		{"mark without bump", func(o *RecoverOptions) { o.MarkCompacted = true }, "bump_revision: must be set with mark_compacted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := RecoverOptions{Members: []RecoverMember{ok()}}
			tc.mod(&o)
			e, _ := New(Config{Location: newDir(t)})
			_, err := e.Recover(context.Background(), "x.db", nil, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
