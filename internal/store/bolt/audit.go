package bolt

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// AppendAudit implements store.AuditLog. bbolt has one writer at a time, so
// the write transaction is the chain lock.
func (s *Store) AppendAudit(ctx context.Context, recs ...store.AuditRecord) ([]store.AuditRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("append audit: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	out, err := store.PrepareAuditRecords(recs, time.Now())
	if err != nil {
		return nil, err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		meta, audit := tx.Bucket(bucketMeta), tx.Bucket(bucketAudit)
		head, err := readPoint(meta, keyAuditHead)
		if err != nil {
			return err
		}
		chain := store.NewChain(head)
		for i := range out {
			chain.Link(&out[i])
			v, err := json.Marshal(&out[i])
			if err != nil {
				return fmt.Errorf("encode audit record %d: %w", out[i].Seq, err)
			}
			if err := audit.Put(seqKey(out[i].Seq), v); err != nil {
				return fmt.Errorf("put audit record %d: %w", out[i].Seq, err)
			}
		}
		return writePoint(meta, keyAuditHead, chain.Head())
	})
	if err != nil {
		return nil, fmt.Errorf("append %d audit records: %w", len(out), err)
	}
	return out, nil
}

// QueryAudit implements store.AuditLog by scanning in Seq order.
func (s *Store) QueryAudit(ctx context.Context, f store.AuditFilter) (store.AuditPage, error) {
	if err := store.ValidateAuditFilter(f); err != nil {
		return store.AuditPage{}, err
	}
	limit := store.ClampAuditLimit(f.Limit)
	var page store.AuditPage
	err := s.view(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		var k, v []byte
		step := c.Next
		switch {
		case f.NewestFirst && f.Cursor > 0:
			step = c.Prev
			if k, _ = c.Seek(seqKey(f.Cursor)); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
		case f.NewestFirst:
			step = c.Prev
			k, v = c.Last()
		default:
			k, v = c.Seek(seqKey(f.Cursor + 1))
		}
		for n := 0; k != nil; k, v = step() {
			if f.NewestFirst && f.Cursor > 0 && seqOf(k) >= f.Cursor {
				continue
			}
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var rec store.AuditRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode audit record %d: %w", seqOf(k), err)
			}
			if !f.Match(&rec) {
				continue
			}
			if len(page.Records) == limit {
				page.Next = page.Records[limit-1].Seq
				return nil
			}
			page.Records = append(page.Records, rec)
		}
		return nil
	})
	if err != nil {
		return store.AuditPage{}, fmt.Errorf("query audit: %w", err)
	}
	return page, nil
}

// VerifyAudit implements store.AuditLog within one read transaction.
func (s *Store) VerifyAudit(ctx context.Context) (store.AuditVerification, error) {
	var res store.AuditVerification
	err := s.view(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		head, err := readPoint(meta, keyAuditHead)
		if err != nil {
			return err
		}
		anchor, err := readPoint(meta, keyAuditAnchor)
		if err != nil {
			return err
		}
		v := store.NewVerifier(anchor, head)
		c := tx.Bucket(bucketAudit).Cursor()
		n := 0
		for k, val := c.Seek(seqKey(anchor.Seq + 1)); k != nil; k, val = c.Next() {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var rec store.AuditRecord
			if err := json.Unmarshal(val, &rec); err != nil {
				rec = store.AuditRecord{Seq: seqOf(k)}
			}
			if !v.Next(&rec) {
				break
			}
		}
		res = v.Finish()
		return nil
	})
	if err != nil {
		return store.AuditVerification{}, fmt.Errorf("verify audit: %w", err)
	}
	return res, nil
}

// PruneAudit implements store.AuditLog.
func (s *Store) PruneAudit(ctx context.Context, cutoff time.Time) (store.PruneResult, error) {
	if err := ctx.Err(); err != nil {
		return store.PruneResult{}, fmt.Errorf("prune audit: %w", err)
	}
	var res store.PruneResult
	err := s.update(func(tx *bbolt.Tx) error {
		meta, audit := tx.Bucket(bucketMeta), tx.Bucket(bucketAudit)
		anchor, err := readPoint(meta, keyAuditAnchor)
		if err != nil {
			return err
		}
		var doomed [][]byte
		c := audit.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var rec store.AuditRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("decode audit record %d: %w", seqOf(k), err)
			}
			if !rec.Time.Before(cutoff) {
				break
			}
			doomed = append(doomed, k)
			anchor = store.ChainPoint{Seq: rec.Seq, Hash: rec.Hash}
		}
		for _, k := range doomed {
			if err := audit.Delete(k); err != nil {
				return fmt.Errorf("delete audit record %d: %w", seqOf(k), err)
			}
		}
		res = store.PruneResult{Removed: int64(len(doomed)), Anchor: anchor}
		if len(doomed) == 0 {
			return nil
		}
		if err := pruneCheckpoints(tx, anchor.Seq); err != nil {
			return err
		}
		return writePoint(meta, keyAuditAnchor, anchor)
	})
	if err != nil {
		return store.PruneResult{}, fmt.Errorf("prune audit: %w", err)
	}
	if len(res.Anchor.Hash) == 0 {
		res.Anchor.Hash = store.GenesisHash
	}
	return res, nil
}

func seqKey(seq int64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(seq))
	return k[:]
}

func seqOf(k []byte) int64 {
	if len(k) != 8 {
		return -1
	}
	return int64(binary.BigEndian.Uint64(k))
}

// readPoint reads a chain point stored as 8-byte seq then hash; missing
// means the genesis point.
func readPoint(meta *bbolt.Bucket, key []byte) (store.ChainPoint, error) {
	v := meta.Get(key)
	if v == nil {
		return store.ChainPoint{Hash: store.GenesisHash}, nil
	}
	if len(v) != 8+store.HashSize {
		return store.ChainPoint{}, fmt.Errorf("%s is damaged (%d bytes)", key, len(v))
	}
	return store.ChainPoint{Seq: seqOf(v[:8]), Hash: append([]byte(nil), v[8:]...)}, nil
}

func writePoint(meta *bbolt.Bucket, key []byte, p store.ChainPoint) error {
	v := append(seqKey(p.Seq), p.Hash...)
	if err := meta.Put(key, v); err != nil {
		return fmt.Errorf("write %s: %w", key, err)
	}
	return nil
}
