package location

import (
	"bytes"
	"context"
	"io"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// upload writes r to key: one PutObject when r holds at most a part, else a multipart upload of
// PartSize parts, up to UploadConcurrency of them in flight, aborted on any failure (r failing,
// a part refused, ctx ending). r is read in order by this goroutine alone, so whatever the
// caller computes over the stream (a digest, a count) sees it as it is stored.
func (l *S3) upload(ctx context.Context, key string, r io.Reader) error {
	first := make([]byte, l.cfg.PartSize)
	n, err := io.ReadFull(r, first)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		_, err := l.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &l.cfg.Bucket, Key: aws.String(key),
			Body: bytes.NewReader(first[:n]), ContentLength: aws.Int64(int64(n))})
		return err
	case err != nil:
		return err
	}
	created, err := l.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &l.cfg.Bucket, Key: aws.String(key)})
	if err != nil {
		return err
	}
	parts, err := l.uploadParts(ctx, key, created.UploadId, first, r)
	if err == nil {
		_, err = l.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &l.cfg.Bucket, Key: aws.String(key),
			UploadId: created.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	if err != nil {
		// uploadParts returned only once no part is in flight: a part stored after the abort
		// would start the upload's storage (and its bill) again.
		_, _ = l.client.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
			Bucket: &l.cfg.Bucket, Key: aws.String(key), UploadId: created.UploadId})
		return err
	}
	return nil
}

// uploadParts sends first, a whole part, and the rest of r as the parts of the upload, each from
// its own goroutine, at most UploadConcurrency at once: a part is read into a free buffer while
// the others are sent, and a buffer is free again when its part is stored. So memory is bounded
// by UploadConcurrency buffers of PartSize, allocated only as the stream is long enough to need
// them. On the first failure the parts in flight are cancelled, and uploadParts returns that
// failure once they all ended; else the stored parts in order of their numbers.
func (l *S3) uploadParts(ctx context.Context, key string, uploadID *string, first []byte, r io.Reader) ([]types.CompletedPart, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		stored    []types.CompletedPart
		free      = make(chan []byte, l.cfg.UploadConcurrency)
		allocated = 1
	)
	send := func(num int32, part []byte) {
		wg.Go(func() {
			out, err := l.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: &l.cfg.Bucket, Key: aws.String(key), UploadId: uploadID,
				PartNumber: aws.Int32(num), Body: bytes.NewReader(part), ContentLength: aws.Int64(int64(len(part)))})
			if err != nil {
				cancel(err)
				return
			}
			mu.Lock()
			stored = append(stored, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
			mu.Unlock()
			free <- part[:cap(part)]
		})
	}
	// nextBuffer is a free buffer, a new one while fewer than UploadConcurrency exist, or the
	// first to come free; nil when the upload failed or ctx ended meanwhile.
	nextBuffer := func() []byte {
		select {
		case buf := <-free:
			return buf
		default:
		}
		if allocated < l.cfg.UploadConcurrency {
			allocated++
			return make([]byte, l.cfg.PartSize)
		}
		select {
		case buf := <-free:
			return buf
		case <-ctx.Done():
			return nil
		}
	}
	// The stream is read with the upload's context, so that a failed part or the caller's
	// cancellation stops the reading at the next Read.
	r = ctxReader{ctx: ctx, r: r}
	send(1, first)
	for num := int32(2); ctx.Err() == nil; num++ {
		buf := nextBuffer()
		if buf == nil {
			break
		}
		n, err := io.ReadFull(r, buf)
		if err == io.EOF {
			break // the previous part was the last
		}
		if err != nil && err != io.ErrUnexpectedEOF {
			cancel(err)
			break
		}
		send(num, buf[:n])
		if n < len(buf) {
			break // that was the last, short part
		}
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	slices.SortFunc(stored, func(a, b types.CompletedPart) int { return int(aws.ToInt32(a.PartNumber) - aws.ToInt32(b.PartNumber)) })
	return stored, nil
}
