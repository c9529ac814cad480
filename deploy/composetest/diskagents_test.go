package composetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// memberDataVolume returns the named volume an etcd member keeps its --data-dir on.
func memberDataVolume(t *testing.T, p *types.Project, member string) string {
	t.Helper()
	s := service(t, p, member)
	dataDir, _ := flagValue(s.Command, "data-dir")
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Target == dataDir {
			return v.Source
		}
	}
	t.Fatalf("%s: no named volume at its --data-dir %q", member, dataDir)
	return ""
}

// imageUser is the USER of the Dockerfile's final stage, the image's user and group ("65532:65532").
func imageUser(t *testing.T) string {
	t.Helper()
	d := parseDockerfile(t)
	users := d.stages[len(d.stages)-1].instr("user")
	if len(users) == 0 {
		t.Fatal("the Dockerfile's final stage has no USER")
	}
	return words(users[len(users)-1])[0]
}

// secretFileOf returns the name of the file (in deploy/compose/secrets/) of the secret service s
// sees at path, or "" when none of its secrets is there.
func secretFileOf(p *types.Project, s types.ServiceConfig, path string) string {
	for _, sec := range s.Secrets {
		if secretTarget(sec) == path {
			return filepath.Base(p.Secrets[sec.Source].File)
		}
	}
	return ""
}

// TestEachMemberHasADiskAgentOnItsDataVolume: one agent per member, of our image, probing a
// directory of its own on the member's data volume, with least privilege, its web
// configuration and health check password from secrets.
func TestEachMemberHasADiskAgentOnItsDataVolume(t *testing.T) {
	p := loadProject(t)
	members := etcdMembers(t, p)
	exporter := service(t, p, "exporter")
	probers := map[string]bool{}
	for name, s := range p.Services {
		if len(s.Command) >= 2 && s.Command[0] == "diskprobe" && s.Command[1] == "serve" {
			probers[name] = true
		}
	}
	if len(probers) != len(diskAgents) || len(diskAgents) != len(members) {
		t.Fatalf("services running diskprobe serve: %v; want one per member %v", probers, diskAgents)
	}
	for name, member := range diskAgents {
		s := service(t, p, name)
		if _, ok := members[member]; !ok || !probers[name] {
			t.Errorf("%s: want diskprobe serve beside the member %s", name, member)
			continue
		}
		if s.Image != exporter.Image || s.Build == nil || s.Build.Target != "etcd-monitor" {
			t.Errorf("%s: image %s (build %v), want the exporter's %s from the etcd-monitor target", name, s.Image, s.Build, exporter.Image)
		}
		// Only the member's data volume, and the probes in a directory below its root: never in
		// etcd's own data directory.
		volume := memberDataVolume(t, p, member)
		dir, _ := flagValue(s.Command, "dir")
		if len(s.Volumes) != 1 || s.Volumes[0].Type != types.VolumeTypeVolume || s.Volumes[0].Source != volume || s.Volumes[0].ReadOnly {
			t.Errorf("%s: volumes %+v, want the member's data volume %s only, read-write", name, s.Volumes, volume)
		} else if rel, err := filepath.Rel(s.Volumes[0].Target, dir); err != nil || rel == "." || strings.HasPrefix(rel, "..") || rel == "member" || strings.HasPrefix(rel, "member/") {
			t.Errorf("%s: --dir=%s, want a directory of its own below %s (the volume's root)", name, dir, s.Volumes[0].Target)
		}
		if _, ok := flagValue(s.Command, "wal-dir"); ok {
			t.Errorf("%s: --wal-dir set, but the members keep their WAL in their data volume", name)
		}
		// Least privilege: the image's non-root user, no capabilities, nothing gained by exec.
		if !s.ReadOnly || s.User != "" || s.Privileged || len(s.CapAdd) > 0 || !slices.Contains(s.CapDrop, "ALL") ||
			!slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
			t.Errorf("%s: read_only %v, user %q, privileged %v, cap_add %v, cap_drop %v, security_opt %v: want read_only, "+
				"the image's user, cap_drop [ALL] and no-new-privileges:true", name, s.ReadOnly, s.User, s.Privileged, s.CapAdd, s.CapDrop, s.SecurityOpt)
		}
		if addr, _ := flagValue(s.Command, "web.listen-address"); addr != ":"+diskAgentPort {
			t.Errorf("%s: --web.listen-address=%q, want :%s", name, addr, diskAgentPort)
		}
		web, _ := flagValue(s.Command, "web.config.file")
		if f := secretFileOf(p, s, web); f != "diskprobe-web.yml" {
			t.Errorf("%s: --web.config.file=%s is %q, want the secret diskprobe-web.yml", name, web, f)
		}
		var probeUsers []string
		for _, a := range s.Command {
			if u, ok := strings.CutPrefix(a, "--probe.user="); ok {
				probeUsers = append(probeUsers, u)
			}
		}
		if !slices.Equal(probeUsers, []string{"opsproxy"}) {
			t.Errorf("%s: --probe.user %v, want only opsproxy (Prometheus and the health check may not probe)", name, probeUsers)
		}
		// The health check authenticates as its own user, the password from a secret file.
		test := s.HealthCheck.Test
		want := fmt.Sprintf("CMD /usr/local/bin/etcd-monitor healthcheck --basic-auth.username=healthcheck "+
			"--basic-auth.password-file=%s http://127.0.0.1:%s/-/healthy", "/run/secrets/diskprobe_healthcheck_password", diskAgentPort)
		if strings.Join(test, " ") != want {
			t.Errorf("%s: health check %v, want %s", name, test, want)
		}
		if pw, _ := flagValue(test, "basic-auth.password-file"); secretFileOf(p, s, pw) != "diskprobe-healthcheck-password" {
			t.Errorf("%s: the health check's password file %s is not the service's secret diskprobe-healthcheck-password", name, pw)
		}
	}
}

// TestDiskAgentsPrepareMakesEachProbeDirForTheImagesUser runs the one-shot that prepares the
// agents' directories, on directories here standing for the members' volumes (with the
// image's user replaced by ours, who may chown to itself): it makes exactly each agent's
// --dir, mode 0700, for that user, touches nothing else, and a second run changes nothing.
func TestDiskAgentsPrepareMakesEachProbeDirForTheImagesUser(t *testing.T) {
	p := loadProject(t)
	var prepare string
	for name := range diskAgents {
		for dep, d := range service(t, p, name).DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				if prepare != "" && prepare != dep {
					t.Fatalf("the agents wait for %s and %s", prepare, dep)
				}
				prepare = dep
			}
		}
	}
	if prepare == "" || !oneShot(p, prepare) {
		t.Fatalf("the agents wait for no one-shot service that prepares their directories (%q)", prepare)
	}
	s := service(t, p, prepare)
	if s.User != "0:0" || !slices.Equal(s.CapAdd, []string{"CHOWN"}) || !slices.Contains(s.CapDrop, "ALL") || !s.ReadOnly ||
		s.NetworkMode != "none" || !slices.Contains(s.SecurityOpt, "no-new-privileges:true") || s.Privileged {
		t.Errorf("%s: user %q, cap_add %v, cap_drop %v, read_only %v, network_mode %q, security_opt %v: want root with "+
			"CHOWN alone, read_only, no network, no-new-privileges", prepare, s.User, s.CapAdd, s.CapDrop, s.ReadOnly, s.NetworkMode, s.SecurityOpt)
	}
	if len(s.Command) != 3 || s.Command[0] != "sh" || s.Command[1] != "-euc" {
		t.Fatalf("%s: command %v, want [sh -euc SCRIPT]", prepare, s.Command)
	}
	script := s.Command[2]
	user := imageUser(t)
	if !strings.Contains(script, "chown "+user+" ") {
		t.Fatalf("%s: the script does not chown to the image's user %s:\n%s", prepare, user, script)
	}
	// Each member's volume, here: a directory with etcd's member/ (0700) in it.
	root := t.TempDir()
	volumeDirs := map[string]string{}
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeVolume {
			t.Fatalf("%s mounts %s (%s): want the members' named volumes only", prepare, v.Source, v.Type)
		}
		here := filepath.Join(root, v.Source)
		if err := os.MkdirAll(filepath.Join(here, "member", "wal"), 0o700); err != nil {
			t.Fatal(err)
		}
		volumeDirs[v.Source] = here
		script = strings.ReplaceAll(script, v.Target, here)
	}
	for _, v := range s.Volumes {
		// The script must name each volume as mounted (not built from a variable), so that
		// here it runs on the directories above and touches nothing of this machine.
		where := filepath.Dir(v.Target)
		if where == "/" {
			where = v.Target
		}
		if strings.Contains(strings.ReplaceAll(script, root, ""), where) {
			t.Fatalf("%s's script names %s in a way this test cannot move here:\n%s", prepare, where, script)
		}
	}
	script = strings.ReplaceAll(script, "chown "+user+" ", fmt.Sprintf("chown %d:%d ", os.Getuid(), os.Getgid()))
	for run := 1; run <= 2; run++ {
		if out, err := exec.Command("sh", "-euc", script).CombinedOutput(); err != nil {
			t.Fatalf("run %d of %s's script: %v\n%s\n%s", run, prepare, err, out, script)
		}
	}
	for name, member := range diskAgents {
		a := service(t, p, name)
		volume := memberDataVolume(t, p, member)
		here, ok := volumeDirs[volume]
		if !ok {
			t.Errorf("%s does not mount %s's volume %s", prepare, name, volume)
			continue
		}
		dir, _ := flagValue(a.Command, "dir")
		rel, _ := filepath.Rel(a.Volumes[0].Target, dir)
		fi, err := os.Stat(filepath.Join(here, rel))
		if err != nil {
			t.Errorf("%s's --dir %s: %v", name, dir, err)
			continue
		}
		st := fi.Sys().(*syscall.Stat_t)
		if !fi.IsDir() || fi.Mode().Perm() != 0o700 || int(st.Uid) != os.Getuid() || int(st.Gid) != os.Getgid() {
			t.Errorf("%s's --dir %s: mode %v owner %d:%d, want a directory, 0700, for the agents' user", name, dir, fi.Mode(), st.Uid, st.Gid)
		}
		entries, _ := os.ReadDir(here)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if want := []string{rel, "member"}; !slices.Equal(names, want) {
			t.Errorf("volume %s holds %v after the script, want %v", volume, names, want)
		}
		if fi, _ := os.Stat(filepath.Join(here, "member")); fi.Mode().Perm() != 0o700 {
			t.Errorf("volume %s: member/ is %v after the script, want it untouched (0700)", volume, fi.Mode().Perm())
		}
	}
}

// TestOpsproxyNamesEveryDiskAgent: the cluster's disk_agents are the agents, each under its
// member's name, reached as the agents' --probe.user.
func TestOpsproxyNamesEveryDiskAgent(t *testing.T) {
	p := loadProject(t)
	for _, name := range []string{"opsproxy", "worker"} {
		cfg, _ := opsproxyConfig(t, p, name)
		got := map[string]string{}
		for _, a := range cfg.Clusters[0].DiskAgents {
			got[a.Member] = a.URL
			if a.Username != "opsproxy" || a.Auth() != "basic" {
				t.Errorf("%s: disk agent of %s authenticates as %q (%s), want the agents' --probe.user opsproxy", name, a.Member, a.Username, a.Auth())
			}
		}
		want := map[string]string{}
		for agent, member := range diskAgents {
			want[member] = "http://" + agent + ":" + diskAgentPort
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: disk_agents %v, want %v", name, got, want)
		}
	}
}
