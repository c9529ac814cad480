package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

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

// recordingLog commits everything and tells batches apart.
type recordingLog struct {
	mu      sync.Mutex
	batches [][]string
	// committed receives every batch's request ids.
	committed chan []string
}

func (l *recordingLog) AppendAudit(_ context.Context, recs ...store.AuditRecord) ([]store.AuditRecord, error) {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.RequestID
	}
	l.mu.Lock()
	l.batches = append(l.batches, ids)
	l.mu.Unlock()
	if l.committed != nil {
		l.committed <- ids
	}
	return recs, nil
}

func attempt(id string) store.AuditRecord {
	return store.AuditRecord{RequestID: id, Operation: "put", Outcome: store.OutcomeAttempted}
}

func TestAuditWriterAppendLaterRidesWithTheNextWaitedRecord(t *testing.T) {
	log := &recordingLog{}
	// A flush delay no test run reaches: only the waited record can carry the first one.
	w := store.NewAuditWriter(log, store.AuditWriterOptions{FlushDelay: time.Hour, Committers: 1})
	if err := w.AppendLater(context.Background(), attempt("later")); err != nil {
		t.Fatalf("append later: %v", err)
	}
	if _, err := w.Append(context.Background(), attempt("now")); err != nil {
		t.Fatalf("append: %v", err)
	}
	w.Close()
	if len(log.batches) != 1 || !slices.Equal(log.batches[0], []string{"now", "later"}) {
		t.Fatalf("batches %q, want one with both records", log.batches)
	}
}

func TestAuditWriterAppendLaterCommitsAloneAfterFlushDelay(t *testing.T) {
	log := &recordingLog{committed: make(chan []string, 1)}
	w := store.NewAuditWriter(log, store.AuditWriterOptions{FlushDelay: time.Millisecond})
	defer w.Close()
	if err := w.AppendLater(context.Background(), attempt("alone")); err != nil {
		t.Fatalf("append later: %v", err)
	}
	if got := <-log.committed; !slices.Equal(got, []string{"alone"}) {
		t.Fatalf("committed %q, want the record alone", got)
	}
}

func TestAuditWriterCloseCommitsAppendLaterRecords(t *testing.T) {
	log := &recordingLog{}
	w := store.NewAuditWriter(log, store.AuditWriterOptions{FlushDelay: time.Hour, MaxBatch: 3})
	for i := range 10 {
		if err := w.AppendLater(context.Background(), attempt(fmt.Sprint(i))); err != nil {
			t.Fatalf("append later: %v", err)
		}
	}
	w.Close()
	var n int
	for _, b := range log.batches {
		if len(b) > 3 {
			t.Errorf("batch of %d records, want at most MaxBatch 3", len(b))
		}
		n += len(b)
	}
	if n != 10 {
		t.Fatalf("%d records committed by Close, want 10", n)
	}
	if err := w.AppendLater(context.Background(), attempt("late")); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("append later after close: %v, want ErrClosed", err)
	}
}

func TestAuditWriterReportsLostAppendLaterRecords(t *testing.T) {
	lost := make(chan []store.AuditRecord, 1)
	w := store.NewAuditWriter(failingLog{}, store.AuditWriterOptions{FlushDelay: time.Millisecond,
		OnError: func(recs []store.AuditRecord, err error) { lost <- recs }})
	defer w.Close()
	if err := w.AppendLater(context.Background(), attempt("lost")); err != nil {
		t.Fatalf("append later: %v", err)
	}
	if recs := <-lost; len(recs) != 1 || recs[0].RequestID != "lost" {
		t.Fatalf("OnError got %v, want the lost record", recs)
	}
}

func TestAuditWriterAppendLaterWaitsWhenPendingIsFull(t *testing.T) {
	w := store.NewAuditWriter(failingLog{}, store.AuditWriterOptions{FlushDelay: time.Hour, MaxPending: 1})
	defer w.Close()
	if err := w.AppendLater(context.Background(), attempt("pending")); err != nil {
		t.Fatalf("first append later: %v", err)
	}
	// The second finds pending full, so it waits for its own commit and learns it failed.
	if err := w.AppendLater(context.Background(), attempt("waits")); err == nil {
		t.Fatal("append later with pending full succeeded although the log could not commit")
	}
}

func TestAuditWriterAppendLaterRejectsInvalidRecord(t *testing.T) {
	w := store.NewAuditWriter(&recordingLog{}, store.AuditWriterOptions{})
	defer w.Close()
	if err := w.AppendLater(context.Background(), store.AuditRecord{Outcome: store.OutcomeAttempted}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("append later of a record without operation: %v, want ErrInvalid", err)
	}
}
