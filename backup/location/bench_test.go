package location

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/etcd-monitor/etcd-monitor/internal/procmem"
)

// benchMiB is the stream size of the upload benchmarks: LOCATION_BENCH_MIB, default 256.
func benchMiB() int {
	if v, err := strconv.Atoi(os.Getenv("LOCATION_BENCH_MIB")); err == nil && v > 0 {
		return v
	}
	return 256
}

// patternReader yields size bytes of a random 1 MiB block over and over: a stream that costs
// a copy to read, neither memory nor CPU of its own.
type patternReader struct {
	block []byte
	pos   int
	left  int64
}

func newPatternReader(block []byte, size int64) *patternReader {
	return &patternReader{block: block, left: size}
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := copy(b[:min(int64(len(b)), p.left)], p.block[p.pos:])
	p.pos = (p.pos + n) % len(p.block)
	p.left -= int64(n)
	return n, nil
}

// phase is what one way of uploading cost, summed over the iterations.
type phase struct {
	wall, serverCPU, clientCPU time.Duration
	peakAnon                   int64 // KiB, the largest of any iteration
	server                     bool  // the server's CPU was measured: it runs in a process of its own
}

// measure runs upload once, timing it and sampling this process's memory and CPU, and the
// server's CPU when serverPID is not 0. Memory freed by earlier phases is returned to the
// system first, so that each phase's peak is its own.
func (p *phase) measure(b *testing.B, serverPID int, upload func() error) {
	b.Helper()
	debug.FreeOSMemory()
	serverStat := fmt.Sprintf("/proc/%d/stat", serverPID)
	p.server = serverPID != 0
	server0, client0 := cpuSeconds(serverStat), cpuSeconds("/proc/self/stat")
	peak, stop := procmem.Sample("/proc/self/status")
	start := time.Now()
	err := upload()
	p.wall += time.Since(start)
	stop()
	if err != nil {
		b.Fatal(err)
	}
	p.serverCPU += time.Duration((cpuSeconds(serverStat) - server0) * float64(time.Second))
	p.clientCPU += time.Duration((cpuSeconds("/proc/self/stat") - client0) * float64(time.Second))
	p.peakAnon = max(p.peakAnon, peak.Anon.Load())
}

func (p *phase) report(b *testing.B, name string, mib float64) {
	n := float64(b.N)
	b.ReportMetric(mib*n/p.wall.Seconds(), name+"-MiB/s")
	b.ReportMetric(float64(p.peakAnon)/1024, name+"-peak-anon-MiB")
	// Cores busy while it ran: on two shared cores, a server near 1 would be the limit.
	b.ReportMetric(p.clientCPU.Seconds()/p.wall.Seconds(), name+"-client-cores")
	if p.server {
		b.ReportMetric(p.serverCPU.Seconds()/p.wall.Seconds(), name+"-server-cores")
	}
}

// BenchmarkS3Upload uploads a stream of LOCATION_BENCH_MIB MiB (default 256) to gofakes3
// (memory backend, in its own process), on loopback as it is and with 20 ms added to every
// request (a distant endpoint's round trip), in four ways, alternating, one of each per iteration:
// our Put with one part after the other and with 4 parts at once (the default), and the
// references: the SDK's own multipart calls driven the obvious way (a part read
// into a new buffer, sent from a goroutine, 4 at once) and one PutObject of the whole stream
// read into memory. Reported per way: MiB/s, this process's peak anonymous memory, and the
// cores the server and this process kept busy meanwhile.
func BenchmarkS3Upload(b *testing.B) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run("latency="+latency.String(), func(b *testing.B) { benchmarkS3Upload(b, latency) })
	}
}

func benchmarkS3Upload(b *testing.B, latency time.Duration) {
	mib := benchMiB()
	size := int64(mib) << 20
	block := make([]byte, 1<<20)
	rand.Read(block)
	srv := startS3Server(b, latency)
	newLoc := func(concurrency int) *S3 {
		loc, err := NewS3(S3Config{Endpoint: srv.url, Bucket: "bench", AccessKeyID: "id", SecretAccessKey: "key",
			PathStyle: true, UploadConcurrency: concurrency})
		if err != nil {
			b.Fatal(err)
		}
		return loc
	}
	onePart, fourParts := newLoc(1), newLoc(4)
	ctx := context.Background()
	client := onePart.client
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	remove := func(key string) {
		if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bench"), Key: aws.String(key)}); err != nil {
			b.Fatal(err)
		}
	}
	debug.FreeOSMemory()
	_, anonBefore := procmem.Read("/proc/self/status")
	var onePhase, fourPhase, partsPhase, putPhase phase
	b.ResetTimer()
	ways := []struct {
		phase  *phase
		upload func(key string) error
	}{
		{&onePhase, func(key string) error {
			n, err := onePart.Put(ctx, key, newPatternReader(block, size))
			if err == nil && n != size {
				err = fmt.Errorf("stored %d bytes of %d", n, size)
			}
			return err
		}},
		{&fourPhase, func(key string) error {
			_, err := fourParts.Put(ctx, key, newPatternReader(block, size))
			return err
		}},
		{&partsPhase, func(key string) error {
			return sdkMultipart(ctx, client, "bench", key, newPatternReader(block, size), minPartSize, 4)
		}},
		{&putPhase, func(key string) error {
			whole, err := io.ReadAll(newPatternReader(block, size))
			if err != nil {
				return err
			}
			_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(key),
				Body: bytes.NewReader(whole), ContentLength: aws.Int64(size)})
			return err
		}},
	}
	for i := range b.N {
		// Each iteration starts with the next way, so that none always follows the same one
		// (the server still collecting the garbage of the previous upload).
		for j := range ways {
			w := ways[(i+j)%len(ways)]
			key := fmt.Sprintf("bench-%d-%d.db", i, j)
			w.phase.measure(b, srv.pid, func() error { return w.upload(key) })
			remove(key)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(mib), "stream-MiB")
	b.ReportMetric(float64(anonBefore)/1024, "anon-before-MiB")
	onePhase.report(b, "ours-1-part", float64(mib))
	fourPhase.report(b, "ours-4-parts", float64(mib))
	partsPhase.report(b, "sdk-parts", float64(mib))
	putPhase.report(b, "sdk-putobject", float64(mib))
	// Ratios of throughput: ours (4 parts at once, the default) against one part at a time and
	// against the references.
	b.ReportMetric(onePhase.wall.Seconds()/fourPhase.wall.Seconds(), "ours-4-parts-vs-1-part-ratio")
	b.ReportMetric(partsPhase.wall.Seconds()/fourPhase.wall.Seconds(), "ours-vs-sdk-parts-ratio")
	b.ReportMetric(putPhase.wall.Seconds()/fourPhase.wall.Seconds(), "ours-vs-sdk-putobject-ratio")
}

// sdkMultipart is the reference: the SDK's multipart calls as one would first write them, each
// part read into a new buffer and sent from its own goroutine, at most concurrency at once.
func sdkMultipart(ctx context.Context, client *s3.Client, bucket, key string, r io.Reader, partSize int64, concurrency int) error {
	up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return err
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		parts   []types.CompletedPart
		failed  error
		slots   = make(chan struct{}, concurrency)
		readErr error
	)
	for num := int32(1); ; num++ {
		buf := make([]byte, partSize)
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			slots <- struct{}{}
			wg.Go(func() {
				defer func() { <-slots }()
				out, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId,
					PartNumber: aws.Int32(num), Body: bytes.NewReader(buf[:n]), ContentLength: aws.Int64(int64(n))})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failed = err
					return
				}
				parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
			})
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
	}
	wg.Wait()
	if err := errors.Join(readErr, failed); err != nil {
		_, _ = client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId})
		return err
	}
	slices.SortFunc(parts, func(a, b types.CompletedPart) int { return int(aws.ToInt32(a.PartNumber) - aws.ToInt32(b.PartNumber)) })
	_, err = client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return err
}

// BenchmarkDirUpload writes a stream of LOCATION_BENCH_MIB MiB (default 256) into a directory
// location (temporary file, fsync, link, directory fsync) against what cp does, io.Copy into a
// new file and an fsync, alternating, one of each per iteration. Reported: MiB/s and this
// process's peak anonymous memory of each.
func BenchmarkDirUpload(b *testing.B) {
	mib := benchMiB()
	size := int64(mib) << 20
	block := make([]byte, 1<<20)
	rand.Read(block)
	dir := b.TempDir()
	loc, err := NewDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var oursPhase, cpPhase phase
	b.ResetTimer()
	for i := range b.N {
		name := fmt.Sprintf("bench-%d.db", i)
		oursPhase.measure(b, 0, func() error {
			_, err := loc.Put(ctx, name, newPatternReader(block, size))
			return err
		})
		os.Remove(filepath.Join(dir, name))
		cpPhase.measure(b, 0, func() error {
			f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, newPatternReader(block, size))
			if err == nil {
				err = f.Sync()
			}
			return errors.Join(err, f.Close())
		})
		os.Remove(filepath.Join(dir, name))
	}
	b.StopTimer()
	b.ReportMetric(float64(mib), "stream-MiB")
	oursPhase.report(b, "ours", float64(mib))
	cpPhase.report(b, "cp", float64(mib))
	b.ReportMetric(cpPhase.wall.Seconds()/oursPhase.wall.Seconds(), "ours-vs-cp-ratio")
}
