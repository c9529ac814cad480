package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// testJobsCreateJobsSettlesEachJob creates one batch holding every case
// CreateJob distinguishes, and checks each job's outcome is what CreateJob
// one at a time, in order, gives: a key taken earlier in the batch or
// before it gives that job, a conflict or an invalid job (text one of the
// backends cannot store included) fails alone.
func testJobsCreateJobsSettlesEachJob(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	before := newJob("defrag", "prod", base)
	before.IdempotencyKey = "before"
	old, _, err := st.CreateJob(c, before)
	if err != nil {
		t.Fatal(err)
	}
	keyed := func(kind, key string) store.Job {
		j := newJob(kind, "prod", base)
		j.IdempotencyKey = key
		return j
	}
	withID := func(id string) store.Job {
		j := newJob("defrag", "prod", base)
		j.ID = id
		return j
	}
	batch := []store.Job{
		keyed("defrag", "a"),           // 0: created
		keyed("defrag", "a"),           // 1: job 0
		keyed("snapshot", "a"),         // 2: conflict with job 0
		{Kind: "defrag"},               // 3: invalid
		newJob("defrag", "prod", base), // 4: created
		keyed("defrag", "before"),      // 5: the job from before
		keyed("snapshot", "before"),    // 6: conflict with the job from before
		withID("twin"),                 // 7: created
		withID("twin"),                 // 8: id taken by job 7
		withID(old.ID),                 // 9: id taken by the job from before
		keyed("defrag", "b"),           // 10: created
		keyed("defrag", "nul\x00"),     // 11: invalid: PostgreSQL's text takes no NUL
		{Kind: "defrag", Cluster: "prod", Parameters: json.RawMessage(`{"m":"\u0000"}`)}, // 12: invalid, as jsonb
	}
	out, err := st.CreateJobs(c, batch)
	if err != nil {
		t.Fatalf("create jobs: %v", err)
	}
	if len(out) != len(batch) {
		t.Fatalf("%d outcomes for %d jobs", len(out), len(batch))
	}
	for _, i := range []int{0, 4, 7, 10} {
		if out[i].Err != nil || !out[i].Created || out[i].Job.ID == "" || out[i].Job.Status != store.JobQueued {
			t.Errorf("job %d: %+v, want created", i, out[i])
		}
	}
	if out[7].Job.ID != "twin" {
		t.Errorf("job 7: id %q, want twin", out[7].Job.ID)
	}
	for i, want := range map[int]string{1: out[0].Job.ID, 5: old.ID} {
		if out[i].Err != nil || out[i].Created || out[i].Job.ID != want {
			t.Errorf("job %d: %+v, want job %s, not created", i, out[i], want)
		}
	}
	for _, i := range []int{2, 6, 8, 9} {
		if !errors.Is(out[i].Err, store.ErrConflict) || out[i].Created || out[i].Job.ID != "" {
			t.Errorf("job %d: %+v, want ErrConflict alone", i, out[i])
		}
	}
	for _, i := range []int{3, 11, 12} {
		if !errors.Is(out[i].Err, store.ErrInvalid) || out[i].Created {
			t.Errorf("job %d: %+v, want ErrInvalid alone", i, out[i])
		}
	}
	page, err := st.ListJobs(c, store.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]store.Job{}
	for _, j := range page.Jobs {
		stored[j.ID] = j
	}
	if len(stored) != 5 {
		t.Fatalf("%d jobs stored, want 5 (the one from before and 4 created)", len(stored))
	}
	for _, i := range []int{0, 4, 7, 10} {
		got, ok := stored[out[i].Job.ID]
		if !ok || got.Kind != batch[i].Kind || got.IdempotencyKey != batch[i].IdempotencyKey || got.RequestedBy != "alice" {
			t.Errorf("job %d stored as %+v (found %v)", i, got, ok)
		}
		jsonEq(t, fmt.Sprintf("job %d parameters", i), got.Parameters, `{"member":"m1"}`)
	}
	if got := stored[old.ID]; got.Kind != "defrag" || got.IdempotencyKey != "before" {
		t.Errorf("the job from before became %+v", got)
	}
	if out, err := st.CreateJobs(c, nil); err != nil || len(out) != 0 {
		t.Errorf("create no jobs: %v, %v", out, err)
	}
}

// testJobWriterGroupsConcurrentCreates creates jobs from many goroutines
// through a JobWriter, several with each idempotency key: each key makes
// one job, every caller with the key gets it, a caller with the key and
// another kind gets ErrConflict, and keyless jobs are all created.
func testJobWriterGroupsConcurrentCreates(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	var batches, largest int
	var mu sync.Mutex
	w := store.NewJobWriter(st, store.JobWriterOptions{OnCommit: func(n int, _ time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		batches++
		largest = max(largest, n)
	}})
	defer w.Close()
	const keys, perKey, keyless = 8, 6, 24
	type outcome struct {
		key     string
		job     store.Job
		created bool
		err     error
	}
	results := make(chan outcome, keys*(perKey+1)+keyless)
	var wg sync.WaitGroup
	for k := range keys {
		for i := range perKey + 1 {
			wg.Go(func() {
				j := newJob("defrag", "prod", base)
				if i == perKey {
					j.Kind = "snapshot"
				}
				j.IdempotencyKey = fmt.Sprintf("key-%d", k)
				got, created, err := w.CreateJob(c, j)
				results <- outcome{j.IdempotencyKey + "/" + j.Kind, got, created, err}
			})
		}
	}
	for range keyless {
		wg.Go(func() {
			got, created, err := w.CreateJob(c, newJob("defrag", "prod", base))
			results <- outcome{"", got, created, err}
		})
	}
	wg.Wait()
	close(results)
	idOf := map[string]string{}
	created := map[string]int{}
	snapshots, conflicts, keylessMade := 0, 0, 0
	for r := range results {
		switch {
		case r.key == "":
			if r.err != nil || !r.created {
				t.Errorf("keyless create: %+v", r)
			}
			keylessMade++
		case r.job.Kind == "" && errors.Is(r.err, store.ErrConflict):
			conflicts++
		case r.err != nil:
			t.Errorf("create %s: %v", r.key, r.err)
		default:
			key := r.job.IdempotencyKey
			if id, ok := idOf[key]; ok && id != r.job.ID {
				t.Errorf("key %s: jobs %s and %s", key, id, r.job.ID)
			}
			idOf[key] = r.job.ID
			if r.created {
				created[key]++
			}
			if r.job.Kind == "snapshot" {
				snapshots++
			}
		}
	}
	if len(idOf) != keys || keylessMade != keyless {
		t.Fatalf("%d keys got a job, want %d; %d keyless jobs, want %d", len(idOf), keys, keylessMade, keyless)
	}
	for key, n := range created {
		if n != 1 {
			t.Errorf("key %s: created %d times, want once", key, n)
		}
	}
	// Per key, either the snapshot lost (one conflict) or won (perKey conflicts).
	if conflicts < keys {
		t.Errorf("%d conflicts, want at least one per key (%d)", conflicts, keys)
	}
	page, err := st.ListJobs(c, store.JobFilter{Limit: store.MaxJobLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Jobs) != keys+keyless {
		t.Fatalf("%d jobs stored, want %d", len(page.Jobs), keys+keyless)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d creates in %d batches, the largest of %d jobs (%d snapshots won their key)", keys*(perKey+1)+keyless, batches, largest, snapshots)
	// 80 callers started at once queue up behind the first commit (an fsync or
	// a round trip): at least one batch holds more than one job.
	if largest < 2 {
		t.Errorf("every batch held one job: the writer did not group concurrent creates")
	}
}

// testJobWriterClosed checks that a JobWriter refuses jobs once closed,
// and passes on its store's ErrClosed to every caller of a batch.
func testJobWriterClosed(t *testing.T, b Backend) {
	st := b.Open(t)
	c := ctx(t)
	w := store.NewJobWriter(st, store.JobWriterOptions{})
	if _, _, err := w.CreateJob(c, store.Job{Kind: "defrag"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("invalid job: %v, want ErrInvalid", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.CreateJob(c, newJob("defrag", "prod", base)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("create with the store closed: %v, want ErrClosed", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.CreateJob(c, newJob("defrag", "prod", base)); !errors.Is(err, store.ErrClosed) {
		t.Errorf("create after the writer's close: %v, want ErrClosed", err)
	}
	if _, err := st.CreateJobs(c, []store.Job{newJob("defrag", "prod", base)}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("create jobs after close: %v, want ErrClosed", err)
	}
}

// testJobsConcurrentBatchesWithKeysInOppositeOrders runs batches of the
// same keys at once, one in the opposite order of the other (as two
// replicas' writers may): they must not deadlock, and each key makes one
// job that both batches give.
func testJobsConcurrentBatchesWithKeysInOppositeOrders(t *testing.T, b Backend) {
	st := open(t, b)
	c := ctx(t)
	const rounds, keys = 20, 200
	for r := range rounds {
		var batches [2][]store.Job
		for k := range keys {
			j := newJob("defrag", "prod", base)
			j.IdempotencyKey = fmt.Sprintf("round-%d/key-%d", r, k)
			batches[0] = append(batches[0], j)
			batches[1] = append([]store.Job{j}, batches[1]...)
		}
		var outs [2][]store.JobCreation
		var errs [2]error
		var wg sync.WaitGroup
		for i := range batches {
			wg.Go(func() { outs[i], errs[i] = st.CreateJobs(c, batches[i]) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, batch %d: %v", r, i, err)
			}
		}
		for k := range keys {
			a, z := outs[0][k], outs[1][keys-1-k]
			if a.Err != nil || z.Err != nil || a.Job.ID != z.Job.ID || a.Created == z.Created {
				t.Fatalf("round %d, key %d: %+v and %+v; want one job, created by one batch", r, k, a, z)
			}
		}
	}
}
