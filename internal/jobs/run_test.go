package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/jobs"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// SaveProgress writes at once, under the attempt's fence; a worker that lost the job is told.
func TestRunSaveProgressWritesNowUnderTheFence(t *testing.T) {
	st, q := openStore(t), jobs.NewMemQueue("test", jobs.Options{})
	t.Cleanup(func() { _ = q.Close() })
	r := jobs.NewRunner(q, st, runnerOpts(t))
	seen, release := make(chan store.Job), make(chan struct{})
	fencedErr := make(chan error, 1)
	r.Handle("step", func(ctx context.Context, run *jobs.Run) (json.RawMessage, error) {
		if err := run.SaveProgress(ctx, json.RawMessage(`{"step":"running"}`)); err != nil {
			return nil, err
		}
		j, err := st.Job(ctx, run.Job.ID)
		if err != nil {
			return nil, err
		}
		seen <- j
		<-release
		// Another worker takes the job over: this attempt's fence is stale.
		if _, err := st.ClaimJob(context.Background(), run.Job.ID, "other", j.HeartbeatAt, 0); err != nil {
			return nil, err
		}
		fencedErr <- run.SaveProgress(context.Background(), json.RawMessage(`{"step":"late"}`))
		return nil, nil
	}, jobs.HandleOptions{})
	startRunner(t, r)
	j := submit(t, st, q, store.Job{Kind: "step"})
	got := <-seen
	if string(got.Progress) != `{"step":"running"}` {
		t.Fatalf("progress on record while the step runs: %s", got.Progress)
	}
	close(release)
	if err := <-fencedErr; !errors.Is(err, store.ErrFenced) {
		t.Fatalf("SaveProgress after losing the job: %v, want ErrFenced", err)
	}
	if p := jobStatus(t, st, j.ID).Progress; string(p) != `{"step":"running"}` {
		t.Fatalf("progress after the stale write: %s", p)
	}
}
