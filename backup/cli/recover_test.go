package cli

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
)

func freeURL(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("http://127.0.0.1:%d", etcdtest.FreePort(t))
}

// startFromPrintedFlags starts one embedded member per `etcd …` line that recover printed, with
// exactly those flags (and listen URLs of its own), and returns their client URLs.
func startFromPrintedFlags(t *testing.T, stdout string) []string {
	t.Helper()
	var cfgs []*embed.Config
	var clientURLs []string
	for _, line := range strings.Split(stdout, "\n") {
		if !strings.HasPrefix(line, "etcd ") {
			continue
		}
		words := strings.Fields(strings.TrimPrefix(line, "etcd "))
		if len(words)%2 != 0 {
			t.Fatalf("flags %q: want --flag value pairs", line)
		}
		flags := map[string]string{}
		for i := 0; i < len(words); i += 2 {
			flags[words[i]] = words[i+1]
		}
		cfg := embed.NewConfig()
		cfg.Name, cfg.Dir = flags["--name"], flags["--data-dir"]
		cfg.InitialCluster, cfg.InitialClusterToken = flags["--initial-cluster"], flags["--initial-cluster-token"]
		pu, err := url.Parse(flags["--initial-advertise-peer-urls"])
		if err != nil || cfg.Name == "" || cfg.Dir == "" || cfg.InitialCluster == "" || cfg.InitialClusterToken == "" {
			t.Fatalf("flags %q: want --name, --initial-advertise-peer-urls, --initial-cluster, --initial-cluster-token and --data-dir", line)
		}
		cu, _ := url.Parse(freeURL(t))
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
		cfg.TickMs, cfg.ElectionMs = 50, 500
		cfg.UnsafeNoFsync = true
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		cfgs = append(cfgs, cfg)
		clientURLs = append(clientURLs, cu.String())
	}
	if len(cfgs) == 0 {
		t.Fatalf("no `etcd …` line printed:\n%s", stdout)
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

func TestRecoverBringsUpAThreeMemberClusterFromThePrintedFlags(t *testing.T) {
	ctx := ctxFor(t)
	f := newFixture(t, true)
	f.fill(t, 200)
	rec := f.backup(t)
	base := t.TempDir()
	args := []string{"recover", "--config.file", f.config, "--location", "local", "--cluster", "prod", rec.Name,
		"--token", "prod-recovered", "--bump-revision", "1000000", "--mark-compacted"}
	for i := range 3 {
		args = append(args, "--member", fmt.Sprintf("name=r%d,peer-urls=%s,data-dir=%s", i, freeURL(t), filepath.Join(base, fmt.Sprintf("r%d", i))))
	}
	r := run(t, args...)
	if r.code != 0 {
		t.Fatal(r)
	}
	noSecret(t, r, f.identity)
	if !strings.Contains(r.stdout, fmt.Sprintf("revision %d", rec.Status.Revision)) || strings.Count(r.stdout, "\netcd ") != 3 {
		t.Fatalf("want the revision and three etcd lines:\n%s", r)
	}
	urls := startFromPrintedFlags(t, r.stdout)
	rc, err := clientv3.New(clientv3.Config{Endpoints: urls, DialTimeout: 10 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := rc.Get(ctx, f.prefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil || got.Count != 200 {
		t.Fatalf("restored keys under %s: %v, %v", f.prefix, got, err)
	}
	if got.Header.Revision < rec.Status.Revision+1_000_000 {
		t.Fatalf("revision %d after a bump of 1000000 from %d", got.Header.Revision, rec.Status.Revision)
	}
	if _, err := rc.Get(ctx, f.prefix+"/00001", clientv3.WithRev(rec.Status.Revision)); !errors.Is(err, rpctypes.ErrCompacted) {
		t.Fatalf("read at the old revision: %v", err)
	}
	members, err := rc.MemberList(ctx)
	if err != nil || len(members.Members) != 3 {
		t.Fatalf("members: %v, %v", members, err)
	}
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
	if _, err := rc.Put(ctx, f.prefix+"/after", "x"); err != nil {
		t.Fatalf("the recovered cluster does not take writes: %v", err)
	}
}

func TestRecoverOfAByteFlippedBackupWritesNoDirectory(t *testing.T) {
	f := newFixture(t, false)
	f.fill(t, 20)
	rec := f.backup(t)
	f.flip(t, rec.Name)
	base := t.TempDir()
	r := run(t, "recover", "--config.file", f.config, "--location", "local", rec.Name, "--token", "t",
		"--member", "name=a,peer-urls="+freeURL(t)+",data-dir="+filepath.Join(base, "a"),
		"--member", "name=b,peer-urls="+freeURL(t)+",data-dir="+filepath.Join(base, "b"))
	if r.code != 1 || !strings.Contains(r.stderr, "recover from backup "+rec.Name) {
		t.Fatalf("want exit 1 naming the backup:\n%s", r)
	}
	if entries, _ := os.ReadDir(base); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestRecoverRejectsBadArgumentsNamingThem(t *testing.T) {
	f := newFixture(t, false)
	existing := t.TempDir()
	base := t.TempDir()
	good := "name=m0,peer-urls=http://10.0.0.1:2380,data-dir=" + filepath.Join(base, "m0")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"mark compacted without bump", []string{"--member", good, "--mark-compacted"}, "--mark-compacted: needs --bump-revision"},
		{"bump without mark compacted", []string{"--member", good, "--bump-revision", "100"}, "--bump-revision: needs --mark-compacted"},
		{"bump not a number", []string{"--member", good, "--bump-revision", "lots"}, "lots"},
		{"no member", nil, "--member"},
		{"no token", []string{"--member", good, "--token", ""}, "--token: must not be empty"},
		{"member not key=value", []string{"--member", "m0"}, `--member[0] "m0": "m0" is not key=value`},
		{"member unknown key", []string{"--member", good + ",dir=/x"}, `unknown key "dir"`},
		{"member without data dir", []string{"--member", "name=m0,peer-urls=http://10.0.0.1:2380"}, "data-dir: must be set"},
		{"member key twice", []string{"--member", good + ",name=m1"}, "name given twice"},
		{"member name bad", []string{"--member", "name=a/b,peer-urls=http://10.0.0.1:2380,data-dir=" + filepath.Join(base, "x")}, `--member[0] name "a/b"`},
		{"member twice", []string{"--member", good, "--member", good}, `--member[1] name "m0": given twice`},
		{"peer url bad", []string{"--member", "name=m0,peer-urls=10.0.0.1:2380,data-dir=" + filepath.Join(base, "x")}, `--member[0] peer-urls[0] "10.0.0.1:2380"`},
		{"data dir exists", []string{"--member", "name=m0,peer-urls=http://10.0.0.1:2380,data-dir=" + existing}, "--member[0] data-dir " + existing + ": exists"},
		{"initial cluster bad", []string{"--member", good, "--initial-cluster", "m0"}, `--initial-cluster: entry 0 "m0": want name=peer-url`},
		{"initial cluster without the member", []string{"--member", good, "--initial-cluster", "m1=http://10.0.0.2:2380"}, "--initial-cluster: lacks --member[0]'s m0=http://10.0.0.1:2380"},
		{"unknown location", []string{"--member", good, "--location", "elsewhere"}, `--location "elsewhere": no such location in backups.locations`},
		{"unknown cluster", []string{"--member", good, "--cluster", "staging"}, `--cluster "staging": not configured with location local`},
		{"bad configuration file", []string{"--member", good, "--config.file", filepath.Join(base, "missing.yml")}, "--config.file " + filepath.Join(base, "missing.yml")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"recover", "prod-x.db"}
			for _, d := range [][2]string{{"--config.file", f.config}, {"--location", "local"}, {"--token", "t"}} {
				if !slices.Contains(tc.args, d[0]) {
					args = append(args, d[0], d[1])
				}
			}
			args = append(args, tc.args...)
			r := run(t, args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want exit 2 and %q:\n%s", tc.want, r)
			}
			if entries, _ := os.ReadDir(base); len(entries) != 0 {
				t.Fatalf("written: %v", entries)
			}
		})
	}
}

func TestParseMemberTakesSeveralPeerURLs(t *testing.T) {
	m, err := parseMember(0, "name=m0,peer-urls=https://10.0.0.1:2380,https://[fd00::1]:2380,data-dir=/var/lib/etcd-new")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "m0" || m.DataDir != "/var/lib/etcd-new" || strings.Join(m.PeerURLs, " ") != "https://10.0.0.1:2380 https://[fd00::1]:2380" {
		t.Fatalf("%+v", m)
	}
}

// Members on different hosts: recover runs once per host with that host's --member and the
// whole --initial-cluster; the members started from the three printouts form one cluster.
func TestRecoverOnePerHostWithTheWholeInitialClusterFormsOneCluster(t *testing.T) {
	ctx := ctxFor(t)
	f := newFixture(t, false)
	f.fill(t, 40)
	rec := f.backup(t)
	base := t.TempDir()
	var peers, initial []string
	for i := range 3 {
		peers = append(peers, freeURL(t))
		initial = append(initial, fmt.Sprintf("h%d=%s", i, peers[i]))
	}
	var printed strings.Builder
	for i := range 3 {
		r := run(t, "recover", "--config.file", f.config, "--location", "local", rec.Name, "--token", "per-host",
			"--initial-cluster", strings.Join(initial, ","),
			"--member", fmt.Sprintf("name=h%d,peer-urls=%s,data-dir=%s", i, peers[i], filepath.Join(base, fmt.Sprintf("h%d", i))))
		if r.code != 0 || !strings.Contains(r.stdout, "--initial-cluster "+strings.Join(initial, ",")+" ") {
			t.Fatal(r)
		}
		printed.WriteString(r.stdout)
	}
	urls := startFromPrintedFlags(t, printed.String())
	rc, err := clientv3.New(clientv3.Config{Endpoints: urls, DialTimeout: 10 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	members, err := rc.MemberList(ctx)
	if err != nil || len(members.Members) != 3 {
		t.Fatalf("members: %v, %v", members, err)
	}
	got, err := rc.Get(ctx, f.prefix+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil || got.Count != 40 {
		t.Fatalf("restored keys under %s: %v, %v", f.prefix, got, err)
	}
	if _, err := rc.Put(ctx, f.prefix+"/after", "x"); err != nil {
		t.Fatalf("the recovered cluster does not take writes: %v", err)
	}
}
