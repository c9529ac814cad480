package systemd

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/deploy/internal/commandline"
)

// units maps each unit to the command its ExecStart must choose.
var units = map[string]string{
	"etcd-monitor-exporter.service":  "exporter",
	"etcd-monitor-opsproxy.service":  "opsproxy serve",
	"etcd-monitor-worker.service":    "worker",
	"etcd-monitor-diskprobe.service": "diskprobe serve",
}

// hardening is what every unit must set, as systemd.exec(5) spells it.
var hardening = []string{
	"NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
	"ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectControlGroups=yes", "RestrictSUIDSGID=yes",
	"CapabilityBoundingSet=", "AmbientCapabilities=", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
	"SystemCallArchitectures=native", "SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes",
}

// unit is a unit file's settings: "Section.Key" to its values in order, continuation lines joined.
type unit map[string][]string

func readUnit(t *testing.T, name string) unit {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := unit{}
	section, pending := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if pending != "" {
			line = pending + " " + line
			pending = ""
		}
		if strings.HasSuffix(line, "\\") {
			pending = strings.TrimSpace(strings.TrimSuffix(line, "\\"))
			continue
		}
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: %q: not key=value", name, line)
			}
			u[section+"."+k] = append(u[section+"."+k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestEveryLongRunningCommandHasAUnit(t *testing.T) {
	files, _ := filepath.Glob("*.service")
	var names []string
	for n := range units {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(files, names) {
		t.Errorf("units %v, want %v", files, names)
	}
}

// TestUnitsRunTheirCommandWithRealFlags parses each ExecStart as the binary does.
func TestUnitsRunTheirCommandWithRealFlags(t *testing.T) {
	for name, want := range units {
		u := readUnit(t, name)
		exec := u["Service.ExecStart"]
		if len(exec) != 1 {
			t.Errorf("%s: %d ExecStart lines, want 1", name, len(exec))
			continue
		}
		// %d is the credentials directory; systemd resolves it at start.
		fields := strings.Fields(strings.ReplaceAll(exec[0], "%d", "/run/credentials/"+name))
		if fields[0] != "/usr/local/bin/etcd-monitor" {
			t.Errorf("%s: runs %s, want /usr/local/bin/etcd-monitor", name, fields[0])
		}
		chosen, err := commandline.Parse(fields[1:])
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if chosen != want {
			t.Errorf("%s: runs %q, want %q", name, chosen, want)
		}
	}
}

func TestUnitsAreHardened(t *testing.T) {
	for name := range units {
		u := readUnit(t, name)
		for _, h := range hardening {
			k, v, _ := strings.Cut(h, "=")
			if !slices.Contains(u["Service."+k], v) {
				t.Errorf("%s: want %s (have %q)", name, h, u["Service."+k])
			}
		}
		dynamic := slices.Contains(u["Service.DynamicUser"], "yes")
		if !dynamic && len(u["Service.User"]) == 0 {
			t.Errorf("%s: want DynamicUser=yes or a User=", name)
		}
		if slices.Contains(u["Service.User"], "root") || slices.Contains(u["Service.User"], "etcd") {
			t.Errorf("%s: User=%v: want a user of its own", name, u["Service.User"])
		}
		if len(u["Service.LoadCredential"]) == 0 {
			t.Errorf("%s: no LoadCredential (secrets come as credentials)", name)
		}
		for _, c := range u["Service.LoadCredential"] {
			if _, src, ok := strings.Cut(c, ":"); !ok || !strings.HasPrefix(src, "/etc/etcd-monitor/credentials/") {
				t.Errorf("%s: LoadCredential=%s: want ID:/etc/etcd-monitor/credentials/FILE", name, c)
			}
		}
		for _, e := range u["Service.Environment"] {
			k, v, _ := strings.Cut(e, "=")
			if strings.Contains(strings.ToUpper(k), "PASSWORD") || strings.Contains(strings.ToUpper(k), "TOKEN") {
				t.Errorf("%s: Environment=%s=…: a secret in the unit (use LoadCredential)", name, k)
			}
			_ = v
		}
	}
}
