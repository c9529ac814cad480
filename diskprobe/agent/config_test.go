package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

func TestNewRejectsSettingsThatMakeNoSenseNamingThem(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	webNoUsers := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webNoUsers, []byte("http_server_config: {http2: true}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no dir", Config{}, "dir: must be set"},
		{"missing dir", Config{Dir: filepath.Join(dir, "nope")}, "dir: stat"},
		{"file as dir", Config{Dir: file}, "dir: " + file + " is not a directory"},
		{"missing WAL dir", Config{Dir: dir, WALDir: filepath.Join(dir, "nope")}, "wal dir: stat"},
		{"file as WAL dir", Config{Dir: dir, WALDir: file}, "wal dir: " + file + " is not a directory"},
		{"interval too short", Config{Dir: dir, Interval: time.Millisecond}, "interval: 1ms is shorter than 1s"},
		{"jitter of 1", Config{Dir: dir, Jitter: 1}, "jitter: 1 is not in [0, 1)"},
		{"negative jitter", Config{Dir: dir, Jitter: -0.1}, "jitter: -0.1 is not in [0, 1)"},
		{"negative threshold", Config{Dir: dir, Threshold: -time.Second}, "threshold: -1s is negative"},
		{"unknown engine", Config{Dir: dir, Engine: "dd"}, `engine: "dd" is neither native nor fio`},
		{"budget below one probe", Config{Dir: dir, MaxBytesPerHour: 1 << 20}, "max bytes per hour: 1.0 MiB is less than one scheduled probe (2.0 MiB)"},
		{"negative budget", Config{Dir: dir, MaxBytesPerHour: -1}, "max bytes per hour: -1 is negative"},
		{"time-based fio", Config{Dir: dir, Engine: diskprobe.EngineFio, Job: diskprobe.Job{Profile: "custom", BlockSize: 2300, Size: 23000, Duration: time.Minute}},
			"duration: a time-based probe with the fio engine cannot be held to the agent's I/O budget"},
		{"probe users without a web config", Config{Dir: dir, ProbeUsers: []string{"opsproxy"}}, "probe users: need a web config file"},
		{"probe user the web config does not know", Config{Dir: dir, ProbeUsers: []string{"opsproxy"}, WebConfigFile: webNoUsers},
			`probe users: "opsproxy" is not a basic_auth_users entry of ` + webNoUsers},
		{"empty probe user", Config{Dir: dir, ProbeUsers: []string{""}, WebConfigFile: webNoUsers}, "probe users[0]: must not be empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNewFillsTheDefaults(t *testing.T) {
	a, err := New(Config{Dir: t.TempDir()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	agentJob, _ := diskprobe.ProfileJob("agent")
	if a.cfg.Interval != DefaultInterval || a.cfg.Threshold != DefaultThreshold || a.cfg.MaxBytesPerHour != DefaultMaxBytesPerHour ||
		a.cfg.Engine != diskprobe.EngineNative || a.cfg.Job != agentJob || a.cfg.Jitter != 0 {
		t.Fatalf("defaults: %+v", a.cfg)
	}
}
