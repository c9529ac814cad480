package composetest

import (
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/etcd-monitor/etcd-monitor/exporter"
)

// configCheck runs the service's own command with --config.check, on the file the service
// mounts, its secrets where init-secrets.sh writes them (configWithSecretsHere).
func configCheck(t *testing.T, p *types.Project, s types.ServiceConfig, checkArgs func(args []string) []string) string {
	t.Helper()
	args := slices.Clone(s.Command)
	file, ok := flagValue(args, "config.file")
	if !ok {
		t.Fatalf("%s: no --config.file in %v", s.Name, args)
	}
	host, _ := configWithSecretsHere(t, p, s, file)
	for i, a := range args {
		if a == "--config.file="+file {
			args[i] = "--config.file=" + host
		}
	}
	args = checkArgs(args)
	out, err := exec.Command(binary(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("etcd-monitor %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestExporterConfigPassesItsCheck(t *testing.T) {
	p := loadProject(t)
	s := service(t, p, "exporter")
	out := configCheck(t, p, s, func(args []string) []string { return append(args, "--config.check") })
	if !strings.Contains(out, "OK, 1 cluster(s)") {
		t.Errorf("exporter --config.check: %s", out)
	}
}

func TestOpsproxyConfigPassesItsCheck(t *testing.T) {
	p := loadProject(t)
	s := service(t, p, "opsproxy")
	if len(s.Command) < 3 || s.Command[0] != "opsproxy" || s.Command[2] != "serve" {
		t.Fatalf("opsproxy command %v: want opsproxy --config.file=… serve …", s.Command)
	}
	out := configCheck(t, p, s, func(args []string) []string { return append(args, "--config.check") })
	if !strings.Contains(out, "OK, 1 cluster(s)") {
		t.Errorf("opsproxy serve --config.check: %s", out)
	}
}

// The worker has no --config.check: it reads opsproxy's file, which the check above covers.
// The worker must mount that same file and run the jobs opsproxy only queues.
func TestWorkerReadsOpsproxysCheckedConfig(t *testing.T) {
	p := loadProject(t)
	w, o := service(t, p, "worker"), service(t, p, "opsproxy")
	wf, _ := flagValue(w.Command, "config.file")
	of, _ := flagValue(o.Command, "config.file")
	if w.Command[0] != "worker" || hostPath(w, wf) == "" || hostPath(w, wf) != hostPath(o, of) {
		t.Fatalf("worker %v reads %q, opsproxy reads %q: want the same file", w.Command, hostPath(w, wf), hostPath(o, of))
	}
	cfg, _ := opsproxyConfig(t, p, "opsproxy")
	if cfg.Queue.RedisURL == "" || cfg.Queue.Workers == nil || *cfg.Queue.Workers != 0 {
		t.Errorf("opsproxy.yml: want queue.redis_url set and queue.workers 0 (the worker service runs the jobs)")
	}
	if !strings.HasPrefix(cfg.Queue.RedisURL, "redis://redis:6379") {
		t.Errorf("queue.redis_url %q: want the redis service", cfg.Queue.RedisURL)
	}
	// Snapshots and restores are on volumes both mount.
	for _, dir := range []string{cfg.Maintenance.SnapshotDir, cfg.Maintenance.RestoreDir} {
		if volumeAt(o, dir) == "" || volumeAt(o, dir) != volumeAt(w, dir) {
			t.Errorf("%s: opsproxy has volume %q there, the worker %q: want one shared volume", dir, volumeAt(o, dir), volumeAt(w, dir))
		}
	}
}

func volumeAt(s types.ServiceConfig, target string) string {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Target == target {
			return v.Source
		}
	}
	return ""
}

// etcdMembers returns the etcd services and the client URL each advertises.
func etcdMembers(t *testing.T, p *types.Project) map[string]string {
	t.Helper()
	m := map[string]string{}
	for name, s := range p.Services {
		if !strings.HasPrefix(name, "etcd-") {
			continue
		}
		if !strings.HasPrefix(s.Image, "gcr.io/etcd-development/etcd:") {
			t.Errorf("%s: image %s, want the official gcr.io/etcd-development/etcd", name, s.Image)
		}
		n, _ := flagValue(s.Command, "name")
		adv, _ := flagValue(s.Command, "advertise-client-urls")
		if n != name || adv != fmt.Sprintf("http://%s:2379", name) {
			t.Errorf("%s: --name=%s --advertise-client-urls=%s", name, n, adv)
		}
		m[name] = adv
	}
	if len(m) != 3 {
		t.Fatalf("%d etcd members, want 3", len(m))
	}
	return m
}

func TestEtcdMembersFormOneClusterThatExporterAndOpsproxyName(t *testing.T) {
	p := loadProject(t)
	members := etcdMembers(t, p)
	var initial []string
	for name := range members {
		initial = append(initial, fmt.Sprintf("%s=http://%s:2380", name, name))
	}
	slices.Sort(initial)
	var urls []string
	for _, u := range members {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	for name := range members {
		s := p.Services[name]
		ic, _ := flagValue(s.Command, "initial-cluster")
		got := strings.Split(ic, ",")
		slices.Sort(got)
		if !slices.Equal(got, initial) {
			t.Errorf("%s: --initial-cluster=%s, want %s", name, ic, strings.Join(initial, ","))
		}
		if peer, _ := flagValue(s.Command, "initial-advertise-peer-urls"); peer != fmt.Sprintf("http://%s:2380", name) {
			t.Errorf("%s: --initial-advertise-peer-urls=%s", name, peer)
		}
	}
	check := func(who string, endpoints []string) {
		got := slices.Clone(endpoints)
		slices.Sort(got)
		if !slices.Equal(got, urls) {
			t.Errorf("%s: endpoints %v, the members advertise %v", who, got, urls)
		}
	}
	e := service(t, p, "exporter")
	ef, _ := flagValue(e.Command, "config.file")
	ecfg, err := exporter.LoadConfig(hostPath(e, ef))
	if err != nil {
		t.Fatal(err)
	}
	ocfg, _ := opsproxyConfig(t, p, "opsproxy")
	if len(ecfg.Clusters) != 1 || len(ocfg.Clusters) != 1 || ecfg.Clusters[0].Name != ocfg.Clusters[0].Name {
		t.Fatalf("want one cluster, of the same name, in exporter.yml and opsproxy.yml")
	}
	check("exporter.yml", ecfg.Clusters[0].Endpoints)
	check("opsproxy.yml", ocfg.Clusters[0].Endpoints)
	// The etcd image's version is the etcd the suite is built and tested against (go.mod).
	want := regexp.MustCompile(`go.etcd.io/etcd/server/v3 (v\S+)`).FindStringSubmatch(readFile(t, "go.mod"))
	for name := range members {
		if tag := strings.TrimPrefix(p.Services[name].Image, "gcr.io/etcd-development/etcd:"); want == nil || tag != want[1] {
			t.Errorf("%s: etcd %s, go.mod has etcd %v", name, tag, want)
		}
	}
}
