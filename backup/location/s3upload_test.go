package location

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// isUploadPart says whether r is an UploadPart request, and of which part.
func isUploadPart(r *http.Request) (string, bool) {
	q := r.URL.Query()
	return q.Get("partNumber"), r.Method == http.MethodPut && q.Has("uploadId")
}

// refuse answers as S3 does a request it denies: 403 is not retried by the SDK. The body is read
// first, as S3 does, so that the client hears the answer rather than a reset connection.
func refuse(w http.ResponseWriter, r *http.Request, why string) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>%s</Message></Error>`, why)
}

// assertNothingLeft fails unless the bucket holds no object and no unfinished upload.
func assertNothingLeft(t *testing.T, loc *S3, client *s3.Client) {
	t.Helper()
	ctx := context.Background()
	if objs, err := loc.List(ctx); err != nil || len(objs) != 0 {
		t.Fatalf("listed after a failed put: %+v, %v", objs, err)
	}
	ups, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("backups")})
	if err != nil || len(ups.Uploads) != 0 {
		t.Fatalf("unfinished uploads left: %+v, %v", ups, err)
	}
}

// Streams of every shape around the part size, sent one part at a time and several at once, are
// stored byte for byte, and Put reads each once, in order: a digest the caller computes over
// the stream is the stored object's.
func TestS3StoresEveryStreamShapeWhateverTheConcurrency(t *testing.T) {
	ctx := context.Background()
	data := make([]byte, 4*minPartSize+17)
	rand.Read(data)
	for _, concurrency := range []int{1, 2, 4} {
		loc, _ := newS3Through(t, concurrency, nil)
		for _, size := range []int{0, 1, minPartSize - 1, minPartSize, minPartSize + 1, 3 * minPartSize, len(data)} {
			t.Run(fmt.Sprintf("concurrency=%d/size=%d", concurrency, size), func(t *testing.T) {
				name := fmt.Sprintf("s-%d.db", size)
				h := sha256.New()
				n, err := loc.Put(ctx, name, io.TeeReader(bytes.NewReader(data[:size]), h))
				if err != nil || n != int64(size) {
					t.Fatalf("put: %d, %v", n, err)
				}
				rc, err := loc.Open(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || !bytes.Equal(got, data[:size]) {
					t.Fatalf("read back %d bytes (%v), differs from the %d put", len(got), err, size)
				}
				if stored := sha256.Sum256(got); !bytes.Equal(h.Sum(nil), stored[:]) {
					t.Fatal("the digest of the stream as Put read it is not the stored object's")
				}
			})
		}
	}
}

// Parts go out UploadConcurrency at once, never more: the server holds every part until as
// many are in flight, which only an upload sending them concurrently reaches.
func TestS3SendsUpToUploadConcurrencyPartsAtOnce(t *testing.T) {
	const concurrency = 3
	var (
		mu       sync.Mutex
		inFlight int
		most     int
		reached  = make(chan struct{})
	)
	loc, _ := newS3Through(t, concurrency, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := isUploadPart(r); !ok {
				next.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			if inFlight == concurrency && most == concurrency {
				select {
				case <-reached:
				default:
					close(reached)
				}
			}
			mu.Unlock()
			select {
			case <-reached:
			case <-time.After(time.Minute): // a deadlock guard: parts sent one by one never get here
				refuse(w, r, "parts were not sent concurrently")
				return
			}
			next.ServeHTTP(w, r)
			mu.Lock()
			inFlight--
			mu.Unlock()
		})
	})
	data := make([]byte, 10*minPartSize+1)
	if _, err := loc.Put(context.Background(), "c.db", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if most != concurrency {
		t.Fatalf("at most %d parts in flight, want %d", most, concurrency)
	}
}

// A part refused while others are in flight fails the put with the server's reason; the parts
// in flight are cancelled or finish, then the upload is aborted: no object, no upload left.
func TestS3AbortsTheUploadWhenOnePartOfSeveralInFlightFails(t *testing.T) {
	const concurrency = 4
	refused := make(chan struct{})
	var once sync.Once
	loc, client := newS3Through(t, concurrency, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			part, ok := isUploadPart(r)
			switch {
			case ok && part == "3":
				refuse(w, r, "part 3 refused by the test")
				once.Do(func() { close(refused) })
				return
			case ok:
				// The other parts wait for part 3's failure, so that it fails with them in flight.
				select {
				case <-refused:
				case <-r.Context().Done():
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	data := make([]byte, 12*minPartSize)
	_, err := loc.Put(context.Background(), "f.db", bytes.NewReader(data))
	if err == nil || !strings.Contains(err.Error(), "part 3 refused by the test") || !strings.Contains(err.Error(), "s3://backups/etcd/prod/") {
		t.Fatalf("put with a refused part: %v", err)
	}
	assertNothingLeft(t, loc, client)
}

// endlessReader yields zeros forever and counts them, as a stream far longer than the test.
type endlessReader struct {
	mu sync.Mutex
	n  int64
}

func (e *endlessReader) Read(p []byte) (int, error) {
	clear(p)
	e.mu.Lock()
	e.n += int64(len(p))
	e.mu.Unlock()
	return len(p), nil
}

// Cancelling the put while parts are in flight stops reading the stream (which never ends),
// ends the parts and aborts the upload; the error is the cancellation.
func TestS3PutEndsWhenCancelledWithPartsInFlight(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loc, client := newS3Through(t, 4, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if part, ok := isUploadPart(r); ok && part == "5" {
				cancel() // parts 2 to 4 are in flight or stored; part 5 never is
				_, _ = io.Copy(io.Discard, r.Body)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	stream := &endlessReader{}
	_, err := loc.Put(ctx, "x.db", stream)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("put cancelled mid-upload: %v", err)
	}
	assertNothingLeft(t, loc, client)
	// Read ahead is bounded by the buffers: the stored or sent parts and one being filled.
	stream.mu.Lock()
	defer stream.mu.Unlock()
	if stream.n > 9*minPartSize {
		t.Fatalf("read %d bytes of the stream after the cancellation", stream.n)
	}
}
