package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

const tokenColumns = `id, name, role, clusters, key_prefixes, acts_for_users, secret_hash,
	created_at, created_by, expires_at, revoked_at`

// CreateToken implements store.TokenStore.
func (s *Store) CreateToken(ctx context.Context, t store.Token) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	t, err := store.PrepareToken(t, time.Now())
	if err != nil {
		return err
	}
	prefixes := make([][]byte, len(t.KeyPrefixes))
	for i, p := range t.KeyPrefixes {
		prefixes[i] = []byte(p)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.ID, t.Name, t.Role, nonNilStrings(t.Clusters), prefixes, t.ActsForUsers, t.SecretHash[:],
		t.CreatedAt, t.CreatedBy, nullTime(t.ExpiresAt), nullTime(t.RevokedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create token %s: id or secret hash taken: %w", t.ID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	return nil
}

// Token implements store.TokenStore.
func (s *Store) Token(ctx context.Context, id string) (store.Token, error) {
	t, err := s.oneToken(ctx, `WHERE id = $1`, id)
	if err != nil {
		return store.Token{}, fmt.Errorf("token %s: %w", id, err)
	}
	return t, nil
}

// TokenBySecretHash implements store.TokenStore.
func (s *Store) TokenBySecretHash(ctx context.Context, h store.SecretHash) (store.Token, error) {
	t, err := s.oneToken(ctx, `WHERE secret_hash = $1`, h[:])
	if err != nil {
		return store.Token{}, fmt.Errorf("token by secret hash: %w", err)
	}
	return t, nil
}

// ListTokens implements store.TokenStore.
func (s *Store) ListTokens(ctx context.Context) ([]store.Token, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY created_at, id COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken implements store.TokenStore.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) (store.Token, error) {
	if err := s.check(); err != nil {
		return store.Token{}, fmt.Errorf("revoke token %s: %w", id, err)
	}
	if at.IsZero() {
		at = time.Now()
	}
	rows, err := s.pool.Query(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2)
		WHERE id = $1 RETURNING `+tokenColumns, id, store.NormalizeTime(at))
	if err != nil {
		return store.Token{}, fmt.Errorf("revoke token %s: %w", id, err)
	}
	t, err := pgx.CollectExactlyOneRow(rows, scanToken)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Token{}, fmt.Errorf("revoke token %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Token{}, fmt.Errorf("revoke token %s: %w", id, err)
	}
	return t, nil
}

func (s *Store) oneToken(ctx context.Context, where string, arg any) (store.Token, error) {
	if err := s.check(); err != nil {
		return store.Token{}, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens `+where, arg)
	if err != nil {
		return store.Token{}, err
	}
	t, err := pgx.CollectExactlyOneRow(rows, scanToken)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Token{}, store.ErrNotFound
	}
	return t, err
}

func scanToken(row pgx.CollectableRow) (store.Token, error) {
	var t store.Token
	var prefixes [][]byte
	var hash []byte
	var expires, revoked *time.Time
	if err := row.Scan(&t.ID, &t.Name, &t.Role, &t.Clusters, &prefixes, &t.ActsForUsers, &hash,
		&t.CreatedAt, &t.CreatedBy, &expires, &revoked); err != nil {
		return t, err
	}
	if len(hash) != len(t.SecretHash) {
		return t, fmt.Errorf("token %s: stored secret hash is %d bytes", t.ID, len(hash))
	}
	copy(t.SecretHash[:], hash)
	if len(t.Clusters) == 0 {
		t.Clusters = nil
	}
	for _, p := range prefixes {
		t.KeyPrefixes = append(t.KeyPrefixes, string(p))
	}
	t.CreatedAt = t.CreatedAt.UTC()
	if expires != nil {
		t.ExpiresAt = expires.UTC()
	}
	if revoked != nil {
		t.RevokedAt = revoked.UTC()
	}
	return t, nil
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
