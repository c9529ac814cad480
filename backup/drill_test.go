package backup

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/etcd-monitor/etcd-monitor/backup/location"
)

func TestDrillRestoresIntoAChildMemberThatMatchesTheRecord(t *testing.T) {
	ctx := ctxFor(t)
	e, cli := sharedEngine(t, newDir(t), nil)
	prefix := clusterName(t)
	fill(t, cli, prefix, 300, 64)
	// Overwrites and a compaction, so that HashKV at the revision is more than the latest values.
	fill(t, cli, prefix, 100, 32)
	resp, _ := cli.Get(ctx, prefix+"/000000")
	if _, err := cli.Compact(ctx, resp.Header.Revision); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Delete(ctx, prefix+"/000001"); err != nil {
		t.Fatal(err)
	}
	rec, err := e.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Drill(ctx, rec.Name, &rec)
	if err != nil {
		t.Fatal(err)
	}
	if !d.OK || d.Got != d.Want || d.Want != rec.Restore || d.FinishedAt.Before(d.StartedAt) {
		t.Fatalf("drill %+v, record %+v", d, rec.Restore)
	}
	noScratchLeft(t, e)
}

func TestDrillOnACorruptBackupFailsAndSaysWhy(t *testing.T) {
	ctx := ctxFor(t)
	loc := newDir(t)
	e, cli := sharedEngine(t, loc, nil)
	fill(t, cli, clusterName(t), 200, 64)
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, rec *Record)
		wantErr string
	}{
		{"byte flipped", func(t *testing.T, rec *Record) {
			raw, _ := os.ReadFile(loc.Path(rec.Name))
			os.WriteFile(loc.Path(rec.Name), flip(raw), 0o600)
		}, "altered or cut short"},
		{"truncated", func(t *testing.T, rec *Record) {
			raw, _ := os.ReadFile(loc.Path(rec.Name))
			os.WriteFile(loc.Path(rec.Name), raw[:len(raw)-1000], 0o600)
		}, "altered or cut short"},
		{"restored data differs from the source's", func(t *testing.T, rec *Record) {
			rec.Restore.HashKV ^= 1
		}, "HashKV at revision"},
		{"key count differs from the source's", func(t *testing.T, rec *Record) {
			rec.Restore.KeyCount++
		}, "keys at revision"},
		{"gone", func(t *testing.T, rec *Record) { os.Remove(loc.Path(rec.Name)) }, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := e.Backup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tc.damage(t, &rec)
			d, err := e.Drill(ctx, rec.Name, &rec)
			if err == nil || d.OK || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), rec.Name) || d.Error != err.Error() {
				t.Fatalf("drill: %+v, %v; want an error naming %s with %q", d, err, rec.Name, tc.wantErr)
			}
			noScratchLeft(t, e)
		})
	}
}

func TestDrillTearsDownWhenCancelled(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep program")
	}
	e, cli := sharedEngine(t, newDir(t), nil)
	fill(t, cli, clusterName(t), 10, 10)
	rec, err := e.Backup(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	// A member that never serves: the drill waits for it until cancelled, then kills it and
	// removes the scratch directory.
	e.cfg.Drill = DrillCommand{Path: sleep, Args: []string{"611.25"}}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for !childRunning("611.25") {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	d, err := e.Drill(ctx, rec.Name, &rec)
	if err == nil || d.OK || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("a cancelled drill: %+v, %v", d, err)
	}
	if childRunning("611.25") {
		t.Fatal("the drill's member process outlived the drill")
	}
	noScratchLeft(t, e)
}

// childRunning reports whether a process with arg in its command line runs.
func childRunning(arg string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		raw, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(raw), arg) {
			stat, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "stat"))
			return !strings.Contains(string(stat), ") Z ") // a zombie is gone
		}
	}
	return false
}

func TestDrillOfAnEncryptedBackupInS3(t *testing.T) {
	ctx := ctxFor(t)
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	loc, err := location.NewS3(location.S3Config{Endpoint: srv.URL, Bucket: "backups", Prefix: "etcd", AccessKeyID: "id", SecretAccessKey: "sk", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: aws.AnonymousCredentials{}})
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("backups")}); err != nil {
		t.Fatal(err)
	}
	keyFile, recipient, _ := ageKey(t)
	e, cli := sharedEngine(t, loc, func(c *Config) {
		c.Encryption = &Encryption{Recipients: []string{recipient}, IdentityFile: keyFile}
	})
	fill(t, cli, clusterName(t), 500, 1024)
	rec, err := e.Backup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Verification.OK || !rec.Encrypted || !strings.HasPrefix(rec.Location, "s3://backups/etcd/") {
		t.Fatalf("record %+v", rec)
	}
	d, err := e.Drill(ctx, rec.Name, &rec)
	if err != nil || !d.OK {
		t.Fatalf("drill: %+v, %v", d, err)
	}
	noScratchLeft(t, e)
}
