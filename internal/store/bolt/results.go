package bolt

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// SaveResult implements store.ResultStore.
func (s *Store) SaveResult(ctx context.Context, r store.Result) (store.Result, error) {
	r, err := store.PrepareResult(r)
	if err != nil {
		return store.Result{}, err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketResults)
		if b.Get([]byte(r.ID)) != nil {
			return store.ErrConflict
		}
		v, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		return b.Put([]byte(r.ID), v)
	})
	if err != nil {
		return store.Result{}, fmt.Errorf("save result %s: %w", r.ID, err)
	}
	return r, nil
}

// Result implements store.ResultStore.
func (s *Store) Result(ctx context.Context, id string) (store.Result, error) {
	var r store.Result
	err := s.view(func(tx *bbolt.Tx) (err error) {
		r, err = getResult(tx, id)
		return err
	})
	if err != nil {
		return store.Result{}, fmt.Errorf("result %s: %w", id, err)
	}
	return r, nil
}

// ListResults implements store.ResultStore.
func (s *Store) ListResults(ctx context.Context, f store.ResultFilter) ([]store.Result, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultResultLimit
	}
	var out []store.Result
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketResults).ForEach(func(k, v []byte) error {
			var r store.Result
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode result %s: %w", k, err)
			}
			if (f.Kind == "" || r.Kind == f.Kind) && (f.Cluster == "" || r.Cluster == f.Cluster) &&
				(f.Name == "" || r.Name == f.Name) && (f.Since.IsZero() || !r.StartedAt.Before(f.Since)) {
				out = append(out, r)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list results: %w", err)
	}
	slices.SortFunc(out, func(a, b store.Result) int {
		return cmp.Or(b.StartedAt.Compare(a.StartedAt), cmp.Compare(b.ID, a.ID))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// SetBaseline implements store.ResultStore.
func (s *Store) SetBaseline(ctx context.Context, b store.Baseline) (store.Baseline, error) {
	b, err := store.PrepareBaseline(b, time.Now())
	if err != nil {
		return store.Baseline{}, err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		r, err := getResult(tx, b.ResultID)
		if err != nil {
			return fmt.Errorf("result %s: %w", b.ResultID, err)
		}
		if err := store.CheckBaselineResult(b, r); err != nil {
			return err
		}
		v, err := json.Marshal(b)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		b.Result = r
		return tx.Bucket(bucketBaselines).Put(baselineKey(b.Kind, b.Cluster, b.Name), v)
	})
	if err != nil {
		return store.Baseline{}, fmt.Errorf("set baseline %s: %w", b.Name, err)
	}
	return b, nil
}

// Baseline implements store.ResultStore.
func (s *Store) Baseline(ctx context.Context, kind store.ResultKind, cluster, name string) (store.Baseline, error) {
	var b store.Baseline
	err := s.view(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketBaselines).Get(baselineKey(kind, cluster, name))
		if v == nil {
			return store.ErrNotFound
		}
		var err error
		b, err = decodeBaseline(tx, v)
		return err
	})
	if err != nil {
		return store.Baseline{}, fmt.Errorf("baseline %s of %s %s: %w", name, kind, cluster, err)
	}
	return b, nil
}

// ListBaselines implements store.ResultStore.
func (s *Store) ListBaselines(ctx context.Context, kind store.ResultKind, cluster string) ([]store.Baseline, error) {
	var out []store.Baseline
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketBaselines).ForEach(func(k, v []byte) error {
			b, err := decodeBaseline(tx, v)
			if err != nil {
				return fmt.Errorf("baseline %q: %w", k, err)
			}
			if (kind == "" || b.Kind == kind) && (cluster == "" || b.Cluster == cluster) {
				out = append(out, b)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list baselines: %w", err)
	}
	return out, nil
}

func getResult(tx *bbolt.Tx, id string) (store.Result, error) {
	v := tx.Bucket(bucketResults).Get([]byte(id))
	if v == nil {
		return store.Result{}, store.ErrNotFound
	}
	var r store.Result
	if err := json.Unmarshal(v, &r); err != nil {
		return store.Result{}, fmt.Errorf("decode result: %w", err)
	}
	return r, nil
}

func decodeBaseline(tx *bbolt.Tx, v []byte) (store.Baseline, error) {
	var b store.Baseline
	if err := json.Unmarshal(v, &b); err != nil {
		return b, fmt.Errorf("decode: %w", err)
	}
	r, err := getResult(tx, b.ResultID)
	if err != nil {
		return b, fmt.Errorf("result %s: %w", b.ResultID, err)
	}
	b.Result = r
	return b, nil
}

// baselineKey orders baselines by kind, cluster and name; the separator
// sorts before every printable byte.
func baselineKey(kind store.ResultKind, cluster, name string) []byte {
	return bytes.Join([][]byte{[]byte(kind), []byte(cluster), []byte(name)}, []byte{0})
}
