package backup

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/etcdutl/v3/snapshot"
	"go.uber.org/zap"

	"github.com/etcd-monitor/etcd-monitor/internal/childproc"
	"github.com/etcd-monitor/etcd-monitor/internal/snapshotfile"
)

// DrillCommand is the program a drill runs as its throwaway member. The zero value is this
// program re-executed with the hidden subcommand DrillMemberCommand; tests give the test binary,
// whose TestMain calls RunDrillMemberIfRequested.
type DrillCommand struct {
	Path string
	Args []string
}

func (c DrillCommand) command(ctx context.Context) (*exec.Cmd, error) {
	if c.Path == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find own executable: %w", err)
		}
		c = DrillCommand{Path: exe, Args: []string{DrillMemberCommand}}
	}
	return exec.CommandContext(ctx, c.Path, c.Args...), nil
}

// drillPeerURL is the peer URL a drill's member is restored with. It is only ever advertised: a
// single restored member needs no peer, and listens on a port the kernel picks.
const drillPeerURL = "http://127.0.0.1:2380"

// Drill restores the backup called name into a scratch data directory with etcd's restore code
// (as etcdutl snapshot restore does), starts a throwaway single member from it as a child process
// on loopback ports, checks that it serves and that its HashKV and live key count at the recorded
// revision are want.Restore's, and tears it down and removes the directory — always, also on
// failure or when ctx ends. A want without a restore target (a backup another tool made) checks
// that the member serves, at the revision etcd's snapshot status gives.
func (e *Engine) Drill(ctx context.Context, name string, want *Record) (DrillRecord, error) {
	rec := DrillRecord{Location: e.cfg.Location.String(), Name: name, StartedAt: e.cfg.Now().UTC()}
	if want != nil {
		rec.Want = want.Restore
	}
	err := e.drill(ctx, name, want, &rec)
	rec.FinishedAt = e.cfg.Now().UTC()
	if err != nil {
		err = fmt.Errorf("drill of backup %s in %s: %w", name, e.cfg.Location, err)
		rec.Error = err.Error()
		return rec, err
	}
	rec.OK = true
	return rec, nil
}

func (e *Engine) drill(ctx context.Context, name string, want *Record, rec *DrillRecord) error {
	p, err := e.fetch(ctx, name)
	if err != nil {
		return err
	}
	defer p.cleanup()
	if err := p.check(want); err != nil {
		return err
	}
	if rec.Want.Revision == 0 {
		st, err := snapshotfile.StatusOf(p.path)
		if err != nil {
			return fmt.Errorf("not a snapshot etcd can read: %w", err)
		}
		rec.Want.Revision = st.Revision
	}
	dir, err := os.MkdirTemp(e.cfg.ScratchDir, "etcd-monitor-drill-")
	if err != nil {
		return fmt.Errorf("scratch directory: %w", err)
	}
	defer os.RemoveAll(dir)
	dataDir := filepath.Join(dir, "data")
	if err := restore(p.path, "drill", []string{drillPeerURL}, "drill="+drillPeerURL, "etcd-monitor-drill", dataDir, !p.hasChecksum, 0, false); err != nil {
		return err
	}
	child, err := e.startDrillMember(ctx, drillSpec{Name: "drill", DataDir: dataDir, PeerURL: drillPeerURL})
	if err != nil {
		return err
	}
	defer child.stop()
	return checkRestored(ctx, child.clientURL, rec)
}

// restore writes a new data directory from a snapshot file with etcd's restore code.
func restore(snap, name string, peerURLs []string, initialCluster, token, dataDir string, skipHashCheck bool, bump uint64, markCompacted bool) error {
	err := snapshot.NewV3(zap.NewNop()).Restore(snapshot.RestoreConfig{
		SnapshotPath:        snap,
		Name:                name,
		OutputDataDir:       dataDir,
		PeerURLs:            peerURLs,
		InitialCluster:      initialCluster,
		InitialClusterToken: token,
		SkipHashCheck:       skipHashCheck,
		RevisionBump:        bump,
		MarkCompacted:       markCompacted,
	})
	if err != nil {
		return fmt.Errorf("restore into %s: %w", dataDir, err)
	}
	return nil
}

// checkRestored compares what the restored member shows with rec.Want, filling rec.Got.
func checkRestored(ctx context.Context, clientURL string, rec *DrillRecord) error {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{clientURL}, DialTimeout: 10 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		return fmt.Errorf("restored member: %w", err)
	}
	defer cli.Close()
	cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := cli.Get(cctx, "health"); err != nil {
		return fmt.Errorf("restored member does not serve: %w", err)
	}
	rev := rec.Want.Revision
	hk, err := cli.HashKV(cctx, clientURL, rev)
	if err != nil {
		return fmt.Errorf("restored member: hashkv at revision %d: %w", rev, err)
	}
	n, err := countAt(cctx, cli, rev)
	if err != nil {
		return fmt.Errorf("restored member: %w", err)
	}
	rec.Got = RestoreTarget{Revision: rev, HashKV: hk.Hash, CompactRevision: hk.CompactRevision, KeyCount: n}
	if rec.Want.HashKV == 0 && rec.Want.KeyCount == 0 {
		return nil // nothing recorded to compare with
	}
	switch {
	case rec.Got.HashKV != rec.Want.HashKV:
		return fmt.Errorf("restored member's HashKV at revision %d is %d, the source member's was %d", rev, rec.Got.HashKV, rec.Want.HashKV)
	case rec.Got.KeyCount != rec.Want.KeyCount:
		return fmt.Errorf("restored member has %d keys at revision %d, the source member had %d", rec.Got.KeyCount, rev, rec.Want.KeyCount)
	}
	return nil
}

// drillChild is a running throwaway member.
type drillChild struct {
	cmd       *exec.Cmd
	stdin     io.WriteCloser
	done      chan error
	clientURL string
	stderr    *tailBuffer
}

// startDrillMember starts the child and waits until it serves (or fails, or ctx ends).
func (e *Engine) startDrillMember(ctx context.Context, s drillSpec) (*drillChild, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	cmd, err := e.cfg.Drill.command(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	cmd.Env = append(os.Environ(), drillEnv+"="+string(raw))
	// The member dies with this process, even when this process is killed.
	cmd.SysProcAttr = childproc.DieWithParent()
	c := &drillChild{cmd: cmd, done: make(chan error, 1), stderr: &tailBuffer{max: 8 << 10}}
	cmd.Stderr = c.stderr
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start drill member %s: %w", cmd.Path, err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), drillReady); ok && !sent {
				ready <- u
				sent = true
			}
		}
		if !sent {
			close(ready)
		}
		c.done <- cmd.Wait()
	}()
	select {
	case u, ok := <-ready:
		if ok {
			c.clientURL = u
			return c, nil
		}
		err := <-c.done
		return nil, fmt.Errorf("drill member exited before it served (%v): %s", err, c.stderr.lastLine())
	case <-ctx.Done():
		c.kill()
		return nil, ctx.Err()
	case <-time.After(90 * time.Second):
		c.kill()
		return nil, errors.New("drill member did not serve within 90s")
	}
}

// stop closes the child's stdin, which makes it stop etcd cleanly; it is killed after 10s.
func (c *drillChild) stop() {
	c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.kill()
	}
}

func (c *drillChild) kill() {
	_ = c.cmd.Process.Kill()
	<-c.done
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) lastLine() string {
	lines := strings.Split(strings.TrimSpace(string(t.b)), "\n")
	return lines[len(lines)-1]
}
