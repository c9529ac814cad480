package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// failingLog is an AuditAppender whose storage is down.
type failingLog struct{}

func (failingLog) AppendAudit(context.Context, ...store.AuditRecord) ([]store.AuditRecord, error) {
	return nil, errors.New("connection refused")
}

func TestAuditWriterFailsEveryCallerWhenCommitFails(t *testing.T) {
	w := store.NewAuditWriter(failingLog{}, store.AuditWriterOptions{})
	defer w.Close()
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.Append(context.Background(), store.AuditRecord{Operation: "put", Outcome: store.OutcomeAttempted})
			if err == nil {
				t.Errorf("append succeeded although the log could not commit")
			}
		}()
	}
	wg.Wait()
}

// blockedLog commits nothing until released.
type blockedLog struct{ release chan struct{} }

func (b blockedLog) AppendAudit(ctx context.Context, recs ...store.AuditRecord) ([]store.AuditRecord, error) {
	<-b.release
	return recs, nil
}

func TestAuditWriterAppendStopsWaitingWhenContextEnds(t *testing.T) {
	log := blockedLog{release: make(chan struct{})}
	w := store.NewAuditWriter(log, store.AuditWriterOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Append(ctx, store.AuditRecord{Operation: "put", Outcome: store.OutcomeAttempted}); !errors.Is(err, context.Canceled) {
		t.Fatalf("append with an ended context: %v, want context.Canceled", err)
	}
	close(log.release)
	w.Close()
}
