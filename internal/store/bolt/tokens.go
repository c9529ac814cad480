package bolt

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// tokenRow is a token as stored: store.Token leaves the hash out of JSON,
// and key prefixes are etcd keys, which need not be UTF-8.
type tokenRow struct {
	store.Token
	Hash     []byte   `json:"secret_hash"`
	Prefixes [][]byte `json:"key_prefix_bytes,omitempty"`
}

// CreateToken implements store.TokenStore.
func (s *Store) CreateToken(ctx context.Context, t store.Token) error {
	t, err := store.PrepareToken(t, time.Now())
	if err != nil {
		return err
	}
	err = s.update(func(tx *bbolt.Tx) error {
		tokens, hashes := tx.Bucket(bucketTokens), tx.Bucket(bucketTokenHash)
		if tokens.Get([]byte(t.ID)) != nil {
			return fmt.Errorf("token id %s: %w", t.ID, store.ErrConflict)
		}
		if hashes.Get(t.SecretHash[:]) != nil {
			return fmt.Errorf("token secret hash: %w", store.ErrConflict)
		}
		if err := putToken(tokens, t); err != nil {
			return err
		}
		return hashes.Put(t.SecretHash[:], []byte(t.ID))
	})
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	return nil
}

// Token implements store.TokenStore.
func (s *Store) Token(ctx context.Context, id string) (store.Token, error) {
	var t store.Token
	err := s.view(func(tx *bbolt.Tx) (err error) {
		t, err = getToken(tx.Bucket(bucketTokens), id)
		return err
	})
	if err != nil {
		return store.Token{}, fmt.Errorf("token %s: %w", id, err)
	}
	return t, nil
}

// TokenBySecretHash implements store.TokenStore.
func (s *Store) TokenBySecretHash(ctx context.Context, h store.SecretHash) (store.Token, error) {
	var t store.Token
	err := s.view(func(tx *bbolt.Tx) (err error) {
		id := tx.Bucket(bucketTokenHash).Get(h[:])
		if id == nil {
			return store.ErrNotFound
		}
		t, err = getToken(tx.Bucket(bucketTokens), string(id))
		return err
	})
	if err != nil {
		return store.Token{}, fmt.Errorf("token by secret hash: %w", err)
	}
	return t, nil
}

// ListTokens implements store.TokenStore.
func (s *Store) ListTokens(ctx context.Context) ([]store.Token, error) {
	var out []store.Token
	err := s.view(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketTokens).ForEach(func(k, v []byte) error {
			t, err := decodeToken(v)
			if err != nil {
				return fmt.Errorf("token %s: %w", k, err)
			}
			out = append(out, t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	slices.SortFunc(out, func(a, b store.Token) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// RevokeToken implements store.TokenStore.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) (store.Token, error) {
	if at.IsZero() {
		at = time.Now()
	}
	var t store.Token
	err := s.update(func(tx *bbolt.Tx) (err error) {
		tokens := tx.Bucket(bucketTokens)
		if t, err = getToken(tokens, id); err != nil {
			return err
		}
		if !t.RevokedAt.IsZero() {
			return nil
		}
		t.RevokedAt = store.NormalizeTime(at)
		return putToken(tokens, t)
	})
	if err != nil {
		return store.Token{}, fmt.Errorf("revoke token %s: %w", id, err)
	}
	return t, nil
}

func putToken(b *bbolt.Bucket, t store.Token) error {
	row := tokenRow{Token: t, Hash: t.SecretHash[:]}
	for _, p := range t.KeyPrefixes {
		row.Prefixes = append(row.Prefixes, []byte(p))
	}
	row.KeyPrefixes = nil
	v, err := json.Marshal(row)
	if err != nil {
		return fmt.Errorf("encode token: %w", err)
	}
	return b.Put([]byte(t.ID), v)
}

func getToken(b *bbolt.Bucket, id string) (store.Token, error) {
	v := b.Get([]byte(id))
	if v == nil {
		return store.Token{}, store.ErrNotFound
	}
	return decodeToken(v)
}

func decodeToken(v []byte) (store.Token, error) {
	var row tokenRow
	if err := json.Unmarshal(v, &row); err != nil {
		return store.Token{}, fmt.Errorf("decode token: %w", err)
	}
	if len(row.Hash) != len(row.SecretHash) {
		return store.Token{}, fmt.Errorf("decode token: secret hash is %d bytes", len(row.Hash))
	}
	copy(row.SecretHash[:], row.Hash)
	for _, p := range row.Prefixes {
		row.KeyPrefixes = append(row.KeyPrefixes, string(p))
	}
	return row.Token, nil
}
