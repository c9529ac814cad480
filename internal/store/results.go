package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// ResultStore keeps benchmark and disk-test results and named baselines.
type ResultStore interface {
	// SaveResult stores r and returns it with ID (when empty) and times set.
	SaveResult(ctx context.Context, r Result) (Result, error)
	// Result returns the result with the given id.
	Result(ctx context.Context, id string) (Result, error)
	// ListResults returns results matching f, newest StartedAt first.
	ListResults(ctx context.Context, f ResultFilter) ([]Result, error)
	// SetBaseline points the named baseline of b.Kind and b.Cluster at
	// b.ResultID, replacing any previous one. The result must exist and be
	// of the same kind and cluster.
	SetBaseline(ctx context.Context, b Baseline) (Baseline, error)
	// Baseline returns the named baseline with its Result filled in.
	Baseline(ctx context.Context, kind ResultKind, cluster, name string) (Baseline, error)
	// ListBaselines returns the baselines of a kind and cluster (empty
	// strings match all), ordered by kind, cluster and name.
	ListBaselines(ctx context.Context, kind ResultKind, cluster string) ([]Baseline, error)
}

// ResultKind says which tool produced a result.
type ResultKind string

// Result kinds.
const (
	KindBenchmark ResultKind = "benchmark"
	KindDiskTest  ResultKind = "disktest"
)

// Verdict is a tool's judgement of a result.
type Verdict string

// Verdicts; empty means the tool gave none.
const (
	VerdictPass Verdict = "pass"
	VerdictWarn Verdict = "warn"
	VerdictFail Verdict = "fail"
)

// Result is one benchmark or disk-test run. Parameters and Figures are JSON
// objects owned by the tool; backends may reformat them (key order,
// whitespace) but keep their meaning.
type Result struct {
	ID         string          `json:"id"`
	Kind       ResultKind      `json:"kind"`
	Cluster    string          `json:"cluster"` // for disk tests: the host or member probed
	Name       string          `json:"name"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt time.Time       `json:"finished_at"`
	Parameters json.RawMessage `json:"parameters"`
	Figures    json.RawMessage `json:"figures"`
	Verdict    Verdict         `json:"verdict,omitempty"`
}

// ResultFilter selects results. Zero fields do not filter.
type ResultFilter struct {
	Kind    ResultKind
	Cluster string
	Name    string
	// Since keeps results started at or after it.
	Since time.Time
	// Limit caps the number returned: 0 means DefaultResultLimit.
	Limit int
}

// DefaultResultLimit is ListResults' page size when Limit is 0.
const DefaultResultLimit = 100

// Baseline is a named reference result that later runs are compared with.
type Baseline struct {
	Kind     ResultKind `json:"kind"`
	Cluster  string     `json:"cluster"`
	Name     string     `json:"name"`
	ResultID string     `json:"result_id"`
	SetBy    string     `json:"set_by"`
	SetAt    time.Time  `json:"set_at"`
	// Result is filled in by Baseline and ListBaselines.
	Result Result `json:"result"`
}

// PrepareResult validates r, gives it an ID when it has none, normalises
// its times and turns empty JSON into {}. Backends call it in SaveResult.
func PrepareResult(r Result) (Result, error) {
	if r.ID == "" {
		r.ID = NewID()
	}
	r.StartedAt = NormalizeTime(r.StartedAt)
	r.FinishedAt = NormalizeTime(r.FinishedAt)
	var err error
	if r.Parameters, err = jsonObject(r.Parameters); err != nil {
		return r, fmt.Errorf("result %s: parameters: %w", r.ID, err)
	}
	if r.Figures, err = jsonObject(r.Figures); err != nil {
		return r, fmt.Errorf("result %s: figures: %w", r.ID, err)
	}
	switch {
	case r.Kind != KindBenchmark && r.Kind != KindDiskTest:
		return r, fmt.Errorf("result %s: unknown kind %q: %w", r.ID, r.Kind, ErrInvalid)
	case r.Cluster == "":
		return r, fmt.Errorf("result %s: cluster is empty: %w", r.ID, ErrInvalid)
	case r.StartedAt.IsZero():
		return r, fmt.Errorf("result %s: started_at is zero: %w", r.ID, ErrInvalid)
	case !r.FinishedAt.IsZero() && r.FinishedAt.Before(r.StartedAt):
		return r, fmt.Errorf("result %s: finished before it started: %w", r.ID, ErrInvalid)
	case r.Verdict != "" && r.Verdict != VerdictPass && r.Verdict != VerdictWarn && r.Verdict != VerdictFail:
		return r, fmt.Errorf("result %s: unknown verdict %q: %w", r.ID, r.Verdict, ErrInvalid)
	}
	return r, nil
}

// PrepareBaseline validates b (SetAt is set to now when zero).
func PrepareBaseline(b Baseline, now time.Time) (Baseline, error) {
	if b.SetAt.IsZero() {
		b.SetAt = now
	}
	b.SetAt = NormalizeTime(b.SetAt)
	b.Result = Result{}
	if b.Kind == "" || b.Cluster == "" || b.Name == "" || b.ResultID == "" {
		return b, fmt.Errorf("baseline: kind, cluster, name and result id are required: %w", ErrInvalid)
	}
	return b, nil
}

// CheckBaselineResult reports whether r may be the result of baseline b.
func CheckBaselineResult(b Baseline, r Result) error {
	if r.Kind != b.Kind || r.Cluster != b.Cluster {
		return fmt.Errorf("baseline %s: result %s is a %s result of cluster %s, not %s of %s: %w",
			b.Name, r.ID, r.Kind, r.Cluster, b.Kind, b.Cluster, ErrInvalid)
	}
	return nil
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func jsonObject(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return json.RawMessage(`{}`), nil
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, fmt.Errorf("not a JSON object: %w", ErrInvalid)
	}
	return raw, nil
}
