package agent

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
)

// parseServe parses args as etcd-monitor does, with serve under the engine's diskprobe command.
func parseServe(t *testing.T, args ...string) (*Command, error) {
	t.Helper()
	app := kingpin.New("etcd-monitor", "")
	dp := diskprobe.RegisterCommand(app)
	c := RegisterCommand(dp.Clause())
	chosen, err := app.Parse(args)
	if err == nil && !c.Matches(chosen) {
		t.Fatalf("%q chose %q", args, chosen)
	}
	return c, err
}

func TestServeFlagsMakeTheAgentsConfig(t *testing.T) {
	c, err := parseServe(t, "diskprobe", "serve", "--dir", "/var/lib/etcd", "--wal-dir", "/ssd/wal", "--probe.interval", "10m", "--probe.jitter", "0",
		"--probe.size", "4m", "--probe.block-size", "4k", "--probe.threshold", "20ms", "--probe.max-bytes-per-hour", "1g",
		"--probe.user", "opsproxy", "--probe.user", "ops2", "--web.listen-address", ":19100")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := c.Config()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Dir: "/var/lib/etcd", WALDir: "/ssd/wal", Interval: 10 * time.Minute, Jitter: 0, Threshold: 20 * time.Millisecond,
		Engine: diskprobe.EngineNative, MaxBytesPerHour: 1 << 30, ProbeUsers: []string{"opsproxy", "ops2"},
		Job: diskprobe.Job{Profile: "custom", BlockSize: 4 << 10, Size: 4 << 20, Preallocate: 2 << 20}}
	if cfg.Dir != want.Dir || cfg.WALDir != want.WALDir || cfg.Interval != want.Interval || cfg.Jitter != want.Jitter || cfg.Threshold != want.Threshold ||
		cfg.Engine != want.Engine || cfg.MaxBytesPerHour != want.MaxBytesPerHour || strings.Join(cfg.ProbeUsers, ",") != "opsproxy,ops2" ||
		cfg.Job != want.Job {
		t.Fatalf("config %+v\nwant %+v", cfg, want)
	}
	if got := *c.webFlags.WebListenAddresses; len(got) != 1 || got[0] != ":19100" {
		t.Errorf("listen addresses %v", got)
	}
	c, err = parseServe(t, "diskprobe", "serve", "--dir", "/d")
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := c.Config(); err != nil || cfg.Interval != DefaultInterval || cfg.Jitter != DefaultJitter ||
		cfg.MaxBytesPerHour != DefaultMaxBytesPerHour || cfg.Job.Profile != "agent" || (*c.webFlags.WebListenAddresses)[0] != DefaultListenAddress {
		t.Fatalf("defaults: %+v %v", cfg, err)
	}
}

func TestServeRefusesBadFlagsWithExitCode2NamingTheFlag(t *testing.T) {
	dir := t.TempDir()
	web := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(web, []byte("tls_server_config: {cert_file: /nonexistent.crt, key_file: /nonexistent.key}\nbasic_auth_users: {a: b}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown profile", []string{"--probe.profile", "fast"}, `--probe.profile: profile: unknown profile "fast"`},
		{"nonsense size", []string{"--probe.size", "lots"}, `--probe.size: not a size: "lots"`},
		{"nonsense block size", []string{"--probe.block-size=-1"}, `--probe.block-size: not a size: "-1"`},
		{"zero budget", []string{"--probe.max-bytes-per-hour", "0"}, "--probe.max-bytes-per-hour: must be above 0"},
		{"missing dir", []string{"--dir", filepath.Join(dir, "nope")}, "dir: stat"},
		{"interval of a millisecond", []string{"--probe.interval", "1ms"}, "interval: 1ms is shorter than 1s"},
		{"broken web config", []string{"--web.config.file", web}, "--web.config.file:"},
		{"probe user without a web config", []string{"--probe.user", "opsproxy"}, "probe users: need a web config file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"diskprobe", "serve", "--web.listen-address", "127.0.0.1:0"}
			if tc.name != "missing dir" {
				args = append(args, "--dir", dir)
			}
			args = append(args, tc.args...)
			c, err := parseServe(t, args...)
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			c.Stderr = &stderr
			if code := c.Run(context.Background(), slog.New(slog.DiscardHandler)); code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.want)
			}
		})
	}
	if _, err := parseServe(t, "diskprobe", "serve"); err == nil || !strings.Contains(err.Error(), "--dir") {
		t.Errorf("serve without --dir: %v", err)
	}
	if _, err := parseServe(t, "diskprobe", "serve", "--dir", dir, "--probe.engine", "dd"); err == nil || !strings.Contains(err.Error(), "native,fio, got 'dd'") {
		t.Errorf("unknown engine: %v", err)
	}
}
