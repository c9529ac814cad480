package kubernetes

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/deploy/internal/commandline"
	"github.com/etcd-monitor/etcd-monitor/exporter"
	"github.com/etcd-monitor/etcd-monitor/internal/embedetcd"
	"github.com/etcd-monitor/etcd-monitor/opsproxy"
)

const (
	baseDir    = "base"
	overlayDir = "overlays/example"
	image      = "ghcr.io/etcd-monitor/etcd-monitor"
)

// components maps each etcd-monitor container to the command its arguments must choose.
var components = map[string]string{
	"exporter":        "exporter",
	"opsproxy":        "opsproxy serve",
	"worker":          "worker",
	"diskprobe-agent": "diskprobe serve",
}

func TestKustomizationsRenderWithSoundStructure(t *testing.T) {
	for _, tc := range []struct {
		dir   string
		kinds map[string]int
	}{
		{baseDir, map[string]int{"Deployment": 3, "Service": 3, "ServiceMonitor": 3, "PrometheusRule": 3, "ConfigMap": 6}},
		{overlayDir, map[string]int{"Namespace": 2, "Deployment": 3, "DaemonSet": 1, "Service": 4, "ServiceMonitor": 4, "PrometheusRule": 3, "ConfigMap": 6}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			objs := render(t, tc.dir)
			for _, e := range checkStructure(objs) {
				t.Error(e)
			}
			got := map[string]int{}
			for _, o := range objs {
				got[o.Kind]++
			}
			for k, n := range tc.kinds {
				if got[k] != n {
					t.Errorf("%d %s, want %d", got[k], k, n)
				}
			}
			if len(got) != len(tc.kinds) {
				t.Errorf("kinds %v, want %v", got, tc.kinds)
			}
		})
	}
}

// TestManifestsReferenceSecretsNeverDefineThem: the Secrets are the operator's to create;
// the manifests name them, and docs/install-kubernetes.md says how to create each.
func TestManifestsReferenceSecretsNeverDefineThem(t *testing.T) {
	doc, err := os.ReadFile("../../docs/install-kubernetes.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dir  string
		want []string
	}{
		{baseDir, []string{"etcd-monitor-etcd-client", "etcd-monitor-opsproxy", "etcd-monitor-postgres"}},
		{overlayDir, []string{"etcd-monitor-diskprobe/etcd-monitor-diskprobe-scrape", "etcd-monitor-diskprobe/etcd-monitor-diskprobe-web",
			"etcd-monitor/etcd-monitor-diskprobe-client", "etcd-monitor/etcd-monitor-etcd-client", "etcd-monitor/etcd-monitor-opsproxy",
			"etcd-monitor/etcd-monitor-postgres"}},
	} {
		objs := render(t, tc.dir)
		for _, o := range objs {
			if o.Kind == "Secret" || len(o.StringData) > 0 {
				t.Errorf("%s: %s: secrets are referenced, never defined", tc.dir, o.ref())
			}
		}
		got := secretRefs(objs)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: secrets referenced %v, want %v", tc.dir, got, tc.want)
		}
		for _, s := range got {
			ns, name, ok := strings.Cut(s, "/")
			if !ok {
				ns, name = "[a-z-]+", s
			}
			if !regexp.MustCompile(`kubectl -n ` + ns + ` create secret generic ` + name + `\s`).Match(doc) {
				t.Errorf("docs/install-kubernetes.md does not say how to create the Secret %s", s)
			}
		}
	}
}

// TestContainerArgsAreFlagsOfTheirCommand parses every etcd-monitor container's arguments as
// the binary does: each flag exists, the command is the component's, it listens on its
// declared port and reads its configuration from a mounted ConfigMap key.
func TestContainerArgsAreFlagsOfTheirCommand(t *testing.T) {
	for _, dir := range []string{baseDir, overlayDir} {
		objs := render(t, dir)
		configMaps := map[string]object{}
		for _, o := range objs {
			if o.Kind == "ConfigMap" {
				configMaps[o.Metadata.Name] = o
			}
		}
		seen := map[string]bool{}
		for _, p := range workloads(t, objs) {
			for _, c := range p.spec.Containers {
				if !strings.HasPrefix(c.Image, image+":") {
					continue
				}
				cref := fmt.Sprintf("%s: %s container %s", dir, p.owner.ref(), c.Name)
				want, ok := components[c.Name]
				if !ok {
					t.Errorf("%s: not a known component", cref)
					continue
				}
				seen[c.Name] = true
				chosen, err := commandline.Parse(append(slices.Clone(c.Command), c.Args...))
				if err != nil {
					t.Errorf("%s: %v", cref, err)
					continue
				}
				if chosen != want {
					t.Errorf("%s: runs %q, want %q", cref, chosen, want)
				}
				listen := flagValue(c.Args, "--web.listen-address")
				_, portText, err := net.SplitHostPort(listen)
				if err != nil || !hasPort(c.Ports, []byte(portText)) {
					t.Errorf("%s: --web.listen-address=%q is not a declared container port", cref, listen)
				}
				if f := flagValue(c.Args, "--config.file"); f != "" {
					if _, ok := configMapKey(p, c, f, configMaps); !ok {
						t.Errorf("%s: --config.file=%s is not a key of a mounted ConfigMap", cref, f)
					}
				}
			}
		}
		for name := range components {
			if name == "diskprobe-agent" && dir == baseDir {
				continue
			}
			if !seen[name] {
				t.Errorf("%s: no %s container", dir, name)
			}
		}
	}
}

// TestConfigMapsLoadAsTheirCommandsLoadThem loads each component's configuration from the
// rendered ConfigMap with the component's own loader, and checks that what opsproxy and the
// worker write is on a writable volume.
func TestConfigMapsLoadAsTheirCommandsLoadThem(t *testing.T) {
	for _, dir := range []string{baseDir, overlayDir} {
		objs := render(t, dir)
		configMaps := map[string]object{}
		for _, o := range objs {
			if o.Kind == "ConfigMap" {
				configMaps[o.Metadata.Name] = o
			}
		}
		for _, p := range workloads(t, objs) {
			for _, c := range p.spec.Containers {
				f := flagValue(c.Args, "--config.file")
				if f == "" {
					continue
				}
				cref := fmt.Sprintf("%s: %s container %s", dir, p.owner.ref(), c.Name)
				text, _ := configMapKey(p, c, f, configMaps)
				text = withSecretsAt(t, p, c, text)
				file := filepath.Join(t.TempDir(), path.Base(f))
				if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				if c.Name == "exporter" {
					if _, err := exporter.LoadConfig(file); err != nil {
						t.Errorf("%s: %s: %v", cref, f, err)
					}
					continue
				}
				cfg, err := opsproxy.LoadConfig(file)
				if err != nil {
					t.Errorf("%s: %s: %v", cref, f, err)
					continue
				}
				for field, d := range map[string]string{"audit.spool_dir": cfg.Audit.SpoolDir,
					"maintenance.snapshot_dir": cfg.Maintenance.SnapshotDir, "maintenance.restore_dir": cfg.Maintenance.RestoreDir} {
					if !onWritableVolume(p, c, d) {
						t.Errorf("%s: %s %q is not on a writable volume (the root filesystem is read-only)", cref, field, d)
					}
				}
				if u, err := url.Parse(cfg.Store.DSN); err != nil || u.Scheme != "postgres" {
					t.Errorf("%s: store.dsn: want a postgres:// URL", cref)
				} else if _, set := u.User.Password(); set {
					t.Errorf("%s: store.dsn: a password inline (PGPASSWORD comes from the Secret)", cref)
				}
				if u, err := url.Parse(cfg.Queue.RedisURL); err != nil || u.Scheme != "redis" && u.Scheme != "rediss" {
					t.Errorf("%s: queue.redis_url: want a redis:// URL (the worker needs the shared queue)", cref)
				} else if _, set := u.User.Password(); set {
					t.Errorf("%s: queue.redis_url: a password in a ConfigMap", cref)
				}
			}
		}
	}
}

// TestDiskprobeAgentRunsOnEtcdNodesWithLeastPrivilege: control-plane nodes only, its own
// directory on the host made and handed to the agent's user by the init container, nothing
// else of the host.
func TestDiskprobeAgentRunsOnEtcdNodesWithLeastPrivilege(t *testing.T) {
	var agent *pod
	for _, p := range workloads(t, render(t, overlayDir)) {
		if p.owner.Kind == "DaemonSet" {
			agent = &p
		}
	}
	if agent == nil {
		t.Fatal("no DaemonSet in the example overlay")
	}
	s := agent.spec
	if _, ok := s.NodeSelector["node-role.kubernetes.io/control-plane"]; !ok {
		t.Errorf("nodeSelector %v: want the control-plane nodes", s.NodeSelector)
	}
	if !slices.ContainsFunc(s.Tolerations, func(tl toleration) bool {
		return tl.Key == "node-role.kubernetes.io/control-plane" && tl.Operator == "Exists" && tl.Effect == "NoSchedule"
	}) {
		t.Errorf("tolerations %v: want node-role.kubernetes.io/control-plane:NoSchedule", s.Tolerations)
	}
	var hostPaths []volume
	for _, v := range s.Volumes {
		if v.HostPath != nil {
			hostPaths = append(hostPaths, v)
		}
	}
	if len(hostPaths) != 1 || hostPaths[0].HostPath.Type != "DirectoryOrCreate" {
		t.Fatalf("hostPath volumes %+v: want one, DirectoryOrCreate", hostPaths)
	}
	hp := hostPaths[0]
	if strings.HasPrefix(hp.HostPath.Path+"/", "/var/lib/etcd/") {
		t.Errorf("hostPath %s: inside etcd's data directory; want a directory of the agent's own", hp.HostPath.Path)
	}
	c := s.Containers[0]
	dir := flagValue(c.Args, "--dir")
	if mountOf(c, hp.Name) != dir {
		t.Errorf("--dir=%s is not where the hostPath volume is mounted (%s)", dir, mountOf(c, hp.Name))
	}
	if len(s.InitContainers) != 1 {
		t.Fatalf("init containers %d, want 1 (the directory's chown)", len(s.InitContainers))
	}
	init := s.InitContainers[0]
	uid := *s.SecurityContext.RunAsUser
	if got := strings.Join(init.Command, " "); !strings.Contains(got, fmt.Sprintf("chown %d:%d %s", uid, uid, mountOf(init, hp.Name))) {
		t.Errorf("init container %q: want it to chown the mounted directory to the agent's user %d", got, uid)
	}
	if !slices.ContainsFunc(c.Ports, func(p containerPort) bool { return p.HostPort != 0 && p.HostPort == p.ContainerPort }) {
		t.Errorf("ports %+v: want a hostPort, the address opsproxy's disk_agents name", c.Ports)
	}
	if flagValue(c.Args, "--web.config.file") == "" || flagValue(c.Args, "--probe.user") == "" {
		t.Errorf("args %v: want --web.config.file (TLS, basic auth) and --probe.user", c.Args)
	}
	runInitTwice(t, init, mountOf(init, hp.Name), uid) // last: it skips the rest when not root
}

func workloads(t *testing.T, objs []object) []pod {
	t.Helper()
	var pods []pod
	for _, o := range objs {
		if o.Kind != "Deployment" && o.Kind != "DaemonSet" {
			continue
		}
		var s workloadSpec
		if err := unmarshalSpec(o, &s); err != nil {
			t.Fatal(err)
		}
		pods = append(pods, pod{owner: o, labels: s.Template.Metadata.Labels, spec: s.Template.Spec})
	}
	return pods
}

// flagValue returns the value of --name=value in args.
func flagValue(args []string, name string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

func mountOf(c container, volumeName string) string {
	for _, m := range c.VolumeMounts {
		if m.Name == volumeName {
			return m.MountPath
		}
	}
	return ""
}

// configMapKey returns the ConfigMap data a container sees at file.
func configMapKey(p pod, c container, file string, configMaps map[string]object) (string, bool) {
	for _, v := range p.spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		m := mountOf(c, v.Name)
		if m == "" || path.Dir(file) != m {
			continue
		}
		text, ok := configMaps[v.ConfigMap.Name].Data[path.Base(file)]
		return text, ok
	}
	return "", false
}

// withSecretsAt stands in for the kubelet: each Secret volume the container mounts becomes a
// temporary directory holding the volume's items (certificates and keys of a generated PKI for
// ca.crt, tls.crt and tls.key), and text's paths under the mount point are
// rewritten to it, so that a loader that opens its files finds them.
func withSecretsAt(t *testing.T, p pod, c container, text string) string {
	t.Helper()
	for _, v := range p.spec.Volumes {
		m := mountOf(c, v.Name)
		if v.Secret == nil || m == "" {
			continue
		}
		dir := t.TempDir()
		pki, err := embedetcd.GenerateTLS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		pem := map[string]string{"ca.crt": pki.CAFile, "tls.crt": pki.ClientCertFile, "tls.key": pki.ClientKeyFile}
		for _, it := range v.Secret.Items {
			content := []byte("placeholder of " + it.Key + "\n")
			if f, ok := pem[it.Key]; ok {
				if content, err = os.ReadFile(f); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dir, it.Path), content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		text = strings.ReplaceAll(text, m+"/", dir+"/")
	}
	return text
}

func onWritableVolume(p pod, c container, dir string) bool {
	for _, v := range p.spec.Volumes {
		if v.EmptyDir == nil {
			continue
		}
		for _, m := range c.VolumeMounts {
			if m.Name == v.Name && !m.ReadOnly && strings.HasPrefix(dir+"/", m.MountPath+"/") {
				return true
			}
		}
	}
	return false
}

// runInitTwice runs the init container's command as the pod runs it — root with CAP_CHOWN
// alone (setpriv's bounding set) — on a new directory standing in for the hostPath, twice, as
// a first start and a restart do: both succeed, and the directory ends the agent's, mode 0700.
// Handing a directory to another user needs root: elsewhere it skips.
func runInitTwice(t *testing.T, init container, mount string, uid int64) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the init container's command chowns, which needs root; run as root to run it")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Fatalf("setpriv (util-linux) is needed to run the init container's command with CAP_CHOWN alone: %v", err)
	}
	if len(init.Command) < 3 || init.Command[0] != "sh" || init.Command[1] != "-c" {
		t.Fatalf("init container command %q: want [sh -c SCRIPT]", init.Command)
	}
	dir := filepath.Join(t.TempDir(), "probe")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := strings.ReplaceAll(init.Command[2], mount, dir)
	for _, run := range []string{"first start", "restart"} {
		if out, err := exec.Command(setpriv, "--bounding-set=-all,+chown", "sh", "-c", script).CombinedOutput(); err != nil {
			t.Fatalf("init container on a %s: %v\n%s", run, err, out)
		}
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st := fi.Sys().(*syscall.Stat_t); int64(st.Uid) != uid || fi.Mode().Perm() != 0o700 {
		t.Errorf("probe directory after two starts: uid %d mode %v; want %d, 0700", st.Uid, fi.Mode().Perm(), uid)
	}
}
