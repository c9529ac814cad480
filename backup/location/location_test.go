package location

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// brokenReader yields n bytes of data, then fails, as a snapshot stream whose member died.
type brokenReader struct{ n int }

func (r *brokenReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("member went away")
	}
	k := min(len(p), r.n)
	r.n -= k
	return k, nil
}

// newS3 starts gofakes3 (a server of the S3 REST protocol) on loopback with an empty bucket.
func newS3(t *testing.T) (*S3, *s3.Client) {
	t.Helper()
	return newS3Through(t, 0, nil)
}

// newS3Through is newS3 with uploadConcurrency parts sent at once (0: the default), and every
// request passing through wrap (when not nil) on its way to gofakes3, to watch or fail it.
func newS3Through(t *testing.T, uploadConcurrency int, wrap func(next http.Handler) http.Handler) (*S3, *s3.Client) {
	t.Helper()
	var h http.Handler = gofakes3.New(s3mem.New()).Server()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	loc, err := NewS3(S3Config{Endpoint: srv.URL, Bucket: "backups", Prefix: "etcd/prod", AccessKeyID: "id", SecretAccessKey: "s3cr3t-key",
		PathStyle: true, UploadConcurrency: uploadConcurrency})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loc.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("backups")}); err != nil {
		t.Fatal(err)
	}
	return loc, loc.client
}

func locations(t *testing.T) map[string]func(t *testing.T) Location {
	return map[string]func(t *testing.T) Location{
		"dir": func(t *testing.T) Location {
			d, err := NewDir(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		"s3": func(t *testing.T) Location { l, _ := newS3(t); return l },
	}
}

func TestLocationStoresListsReadsAndDeletes(t *testing.T) {
	ctx := context.Background()
	for name, mk := range locations(t) {
		t.Run(name, func(t *testing.T) {
			loc := mk(t)
			data := bytes.Repeat([]byte("etcd"), 3<<20) // 12 MiB: a multipart upload on S3
			n, err := loc.Put(ctx, "a.db", bytes.NewReader(data))
			if err != nil || n != int64(len(data)) {
				t.Fatalf("put: %d, %v", n, err)
			}
			if _, err := loc.Put(ctx, "a.db", strings.NewReader("x")); !errors.Is(err, ErrExists) {
				t.Fatalf("second put under the same name: %v", err)
			}
			objs, err := loc.List(ctx)
			if err != nil || len(objs) != 1 || objs[0].Name != "a.db" || objs[0].Size != int64(len(data)) {
				t.Fatalf("list: %+v, %v", objs, err)
			}
			rc, err := loc.Open(ctx, "a.db")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(got, data) {
				t.Fatal("read back differs")
			}
			if err := loc.Delete(ctx, "a.db"); err != nil {
				t.Fatal(err)
			}
			if _, err := loc.Open(ctx, "a.db"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("open after delete: %v", err)
			}
			if err := loc.Delete(ctx, "a.db"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("delete of a missing backup: %v", err)
			}
		})
	}
}

func TestLocationLeavesNothingWhenTheStreamBreaks(t *testing.T) {
	ctx := context.Background()
	for name, mk := range locations(t) {
		t.Run(name, func(t *testing.T) {
			loc := mk(t)
			// 11 MiB then an error: two parts of a multipart upload went out on S3.
			if _, err := loc.Put(ctx, "b.db", &brokenReader{n: 11 << 20}); err == nil || !strings.Contains(err.Error(), "member went away") {
				t.Fatalf("put of a broken stream: %v", err)
			}
			if objs, err := loc.List(ctx); err != nil || len(objs) != 0 {
				t.Fatalf("list after a broken put: %+v, %v", objs, err)
			}
			switch l := loc.(type) {
			case *Dir:
				if entries, _ := os.ReadDir(l.path); len(entries) != 0 {
					t.Fatalf("left behind: %v", entries)
				}
			case *S3:
				ups, err := l.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("backups")})
				if err != nil || len(ups.Uploads) != 0 {
					t.Fatalf("unfinished uploads left: %+v, %v", ups, err)
				}
			}
		})
	}
}

func TestS3CleanLeftoversAbortsUnfinishedUploads(t *testing.T) {
	ctx := context.Background()
	loc, client := newS3(t)
	// An upload a crashed process started and never finished.
	up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("backups"), Key: aws.String("etcd/prod/c.db")})
	if err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 5<<20)
	rand.Read(part)
	if _, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("backups"), Key: aws.String("etcd/prod/c.db"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(part)}); err != nil {
		t.Fatal(err)
	}
	if objs, _ := loc.List(ctx); len(objs) != 0 {
		t.Fatalf("an unfinished upload is listed: %+v", objs)
	}
	n, err := loc.CleanLeftovers(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("clean: %d, %v", n, err)
	}
	ups, _ := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("backups")})
	if len(ups.Uploads) != 0 {
		t.Fatalf("uploads left: %+v", ups.Uploads)
	}
}

func TestDirCleanLeftoversRemovesOnlyOldTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	d, _ := NewDir(dir)
	old := filepath.Join(dir, ".part-123")
	fresh := filepath.Join(dir, ".part-456")
	for _, p := range []string{old, fresh, filepath.Join(dir, "keep.db")} {
		os.WriteFile(p, []byte("x"), 0o600)
	}
	past := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, past, past)
	n, err := d.CleanLeftovers(context.Background(), time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("clean: %d, %v", n, err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatal("old temporary file kept")
	}
	for _, p := range []string{fresh, filepath.Join(dir, "keep.db")} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s removed", p)
		}
	}
	objs, _ := d.List(context.Background())
	if len(objs) != 1 || objs[0].Name != "keep.db" {
		t.Fatalf("a temporary file is listed: %+v", objs)
	}
}

func TestDirRefusesAMissingOrUnwritableDirectoryNamingIt(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "not-mounted")
	d, _ := NewDir(missing)
	if _, err := d.Put(ctx, "a.db", strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("put into a missing directory: %v", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatal("the missing directory was created")
	}
	// An unwritable directory: one without write permission, or for root (whom permissions do
	// not stop) sysfs, where nobody may create a file.
	ro := t.TempDir()
	os.Chmod(ro, 0o500)
	t.Cleanup(func() { os.Chmod(ro, 0o700) })
	if os.Geteuid() == 0 {
		ro = "/sys/kernel"
	}
	d, _ = NewDir(ro)
	if _, err := d.Put(ctx, "a.db", strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), ro) {
		t.Fatalf("put into an unwritable directory: %v", err)
	}
}

func TestS3ErrorsNeverShowTheSecretKey(t *testing.T) {
	loc, _ := newS3(t)
	_, err := loc.Open(context.Background(), "missing.db")
	if err == nil || strings.Contains(err.Error(), "s3cr3t-key") || strings.Contains(loc.String(), "s3cr3t-key") {
		t.Fatalf("error %v / name %s", err, loc)
	}
}

func TestS3NamesTheLocationWhenTheBucketIsMissing(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	loc, err := NewS3(S3Config{Endpoint: srv.URL, Bucket: "no-such-bucket", AccessKeyID: "id", SecretAccessKey: "s3cr3t-key", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = loc.Put(ctx, "a.db", strings.NewReader("x"))
	if err == nil || !strings.Contains(err.Error(), "s3://no-such-bucket/") || strings.Contains(err.Error(), "s3cr3t-key") {
		t.Fatalf("put into a missing bucket: %v", err)
	}
	if _, err := loc.List(ctx); err == nil || !strings.Contains(err.Error(), "s3://no-such-bucket/") {
		t.Fatalf("list of a missing bucket: %v", err)
	}
}

func TestNewS3RejectsAnIncompleteConfigNamingTheField(t *testing.T) {
	for _, tc := range []struct {
		cfg  S3Config
		want string
	}{
		{S3Config{Bucket: "b", AccessKeyID: "a", SecretAccessKey: "s"}, "endpoint: must not be empty"},
		{S3Config{Endpoint: "http://127.0.0.1:1", AccessKeyID: "a", SecretAccessKey: "s"}, "bucket: must not be empty"},
		{S3Config{Endpoint: "http://127.0.0.1:1", Bucket: "b"}, "access_key_id, secret_access_key: must not be empty"},
		{S3Config{Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKeyID: "a", SecretAccessKey: "s", UploadConcurrency: -1},
			"upload_concurrency: -1: want 1 to 64 (0: the default, 4)"},
		{S3Config{Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKeyID: "a", SecretAccessKey: "s", UploadConcurrency: 65},
			"upload_concurrency: 65: want 1 to 64 (0: the default, 4)"},
	} {
		if _, err := NewS3(tc.cfg); err == nil || err.Error() != tc.want {
			t.Fatalf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
	if _, err := NewDir(""); err == nil || err.Error() != "path: must not be empty" {
		t.Fatalf("empty dir: %v", err)
	}
}
