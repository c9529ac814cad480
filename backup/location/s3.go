package location

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// S3Config is a bucket of S3-compatible object storage. Credentials are given, never read from
// the environment, so that what a location uses is what its configuration says.
type S3Config struct {
	// Endpoint is the service's URL (https://s3.eu-west-1.amazonaws.com, http://127.0.0.1:9000).
	Endpoint string
	Region   string
	Bucket   string
	// Prefix is put before every object name ("etcd/prod/"); a trailing slash is added when
	// missing.
	Prefix          string
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle addresses the bucket in the path, as most S3-compatible servers need.
	PathStyle bool
	// PartSize is the size of each part of a multipart upload (default and minimum 5 MiB, S3's
	// smallest part).
	PartSize int64
	// UploadConcurrency is how many parts of a multipart upload are sent at once (default 4,
	// at most MaxUploadConcurrency; 1 sends one after the other). An upload holds this many
	// parts in memory, whatever the backup's size: UploadConcurrency × PartSize, 20 MiB by
	// default.
	UploadConcurrency int
}

// S3 is a bucket (and prefix) of S3-compatible object storage. An object smaller than a part is
// one PutObject of a buffered part, so it is sent only once read whole; a larger one is a
// multipart upload, UploadConcurrency parts at a time, aborted on any failure, so an object
// appears under its name only when CompleteMultipartUpload made it whole.
type S3 struct {
	cfg    S3Config
	client *s3.Client
}

// minPartSize is S3's smallest part of a multipart upload (but the last).
const minPartSize = 5 << 20

// DefaultUploadConcurrency is how many parts are sent at once when S3Config.UploadConcurrency
// is 0. Uploading 256 MiB to gofakes3 on the project's shared 2-core machine, 4 parts at once
// were 1.24–2.16× as fast as one after the other, on loopback and with 20 ms added to every
// request (docs/performance.md, "Backups"): one part at a time leaves the reading of the next
// part, the client's hashing and the server's work each waiting for the others.
const DefaultUploadConcurrency = 4

// MaxUploadConcurrency bounds S3Config.UploadConcurrency: each part in flight holds PartSize
// bytes of memory.
const MaxUploadConcurrency = 64

// NewS3 checks cfg and returns the location; nothing is sent yet.
func NewS3(cfg S3Config) (*S3, error) {
	switch {
	case cfg.Endpoint == "":
		return nil, errors.New("endpoint: must not be empty")
	case cfg.Bucket == "":
		return nil, errors.New("bucket: must not be empty")
	case cfg.AccessKeyID == "" || cfg.SecretAccessKey == "":
		return nil, errors.New("access_key_id, secret_access_key: must not be empty")
	case cfg.UploadConcurrency < 0 || cfg.UploadConcurrency > MaxUploadConcurrency:
		return nil, fmt.Errorf("upload_concurrency: %d: want 1 to %d (0: the default, %d)", cfg.UploadConcurrency, MaxUploadConcurrency, DefaultUploadConcurrency)
	}
	if cfg.UploadConcurrency == 0 {
		cfg.UploadConcurrency = DefaultUploadConcurrency
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Prefix != "" && !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	if cfg.PartSize < minPartSize {
		cfg.PartSize = minPartSize
	}
	client := s3.New(s3.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		UsePathStyle: cfg.PathStyle,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
	})
	return &S3{cfg: cfg, client: client}, nil
}

func (l *S3) String() string { return "s3://" + l.cfg.Bucket + "/" + l.cfg.Prefix }

func (l *S3) key(name string) string { return l.cfg.Prefix + name }

func (l *S3) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	if !validListed(name) {
		return 0, fmt.Errorf("name %q: not a backup name", name)
	}
	if _, err := l.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &l.cfg.Bucket, Key: aws.String(l.key(name))}); err == nil {
		return 0, fmt.Errorf("backup %s in %s: %w", name, l, ErrExists)
	} else if !isNotFound(err) {
		return 0, fmt.Errorf("backup location %s: %w", l, err)
	}
	cr := &countReader{r: r}
	if err := l.upload(ctx, l.key(name), cr); err != nil {
		return 0, fmt.Errorf("upload %s to %s: %w", name, l, err)
	}
	return cr.n, nil
}

func (l *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if !validListed(name) {
		return nil, fmt.Errorf("name %q: not a backup name", name)
	}
	out, err := l.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &l.cfg.Bucket, Key: aws.String(l.key(name))})
	if isNotFound(err) {
		return nil, fmt.Errorf("backup %s in %s: %w", name, l, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s from %s: %w", name, l, err)
	}
	return out.Body, nil
}

func (l *S3) List(ctx context.Context) ([]Object, error) {
	var out []Object
	p := s3.NewListObjectsV2Paginator(l.client, &s3.ListObjectsV2Input{Bucket: &l.cfg.Bucket, Prefix: aws.String(l.cfg.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("backup location %s: list: %w", l, err)
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(aws.ToString(o.Key), l.cfg.Prefix)
			if !validListed(name) {
				continue // a "sub-directory", or not ours to list
			}
			out = append(out, Object{Name: name, Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified).UTC()})
		}
	}
	return out, nil
}

func (l *S3) Delete(ctx context.Context, name string) error {
	if !validListed(name) {
		return fmt.Errorf("name %q: not a backup name", name)
	}
	if _, err := l.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &l.cfg.Bucket, Key: aws.String(l.key(name))}); isNotFound(err) {
		return fmt.Errorf("backup %s in %s: %w", name, l, ErrNotFound)
	}
	if _, err := l.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &l.cfg.Bucket, Key: aws.String(l.key(name))}); err != nil {
		return fmt.Errorf("delete %s from %s: %w", name, l, err)
	}
	return nil
}

// CleanLeftovers aborts multipart uploads under the prefix started more than age ago (a process
// that died mid-upload leaves its parts stored, and billed, until they are aborted).
func (l *S3) CleanLeftovers(ctx context.Context, age time.Duration) (int, error) {
	out, err := l.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &l.cfg.Bucket, Prefix: aws.String(l.cfg.Prefix)})
	if err != nil {
		return 0, fmt.Errorf("backup location %s: list uploads: %w", l, err)
	}
	n := 0
	for _, u := range out.Uploads {
		if time.Since(aws.ToTime(u.Initiated)) < age {
			continue
		}
		if _, err := l.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &l.cfg.Bucket, Key: u.Key, UploadId: u.UploadId}); err == nil {
			n++
		}
	}
	return n, nil
}

func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey")
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
