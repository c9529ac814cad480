package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"
)

// TokenStore keeps API tokens. Only a hash of each secret is stored.
type TokenStore interface {
	// CreateToken stores t. It returns ErrConflict when the id or the secret
	// hash is already taken.
	CreateToken(ctx context.Context, t Token) error
	// Token returns the token with the given id.
	Token(ctx context.Context, id string) (Token, error)
	// TokenBySecretHash returns the token whose secret hashes to h, revoked
	// and expired ones included: the caller decides with Token.Usable.
	TokenBySecretHash(ctx context.Context, h SecretHash) (Token, error)
	// ListTokens returns every token, oldest first.
	ListTokens(ctx context.Context) ([]Token, error)
	// RevokeToken marks the token revoked at the given time and returns it.
	// Revoking a revoked token keeps the first time.
	RevokeToken(ctx context.Context, id string, at time.Time) (Token, error)
}

// SecretHash is the sha256 of a token secret.
type SecretHash [sha256.Size]byte

// HashSecret returns the hash under which a token secret is stored.
func HashSecret(secret string) SecretHash { return sha256.Sum256([]byte(secret)) }

// Token is an API token. Role and scopes are interpreted by opsproxy; the
// store only keeps them.
type Token struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Clusters the token may act on; empty means all.
	Clusters []string `json:"clusters,omitempty"`
	// KeyPrefixes the token may write under; empty means all.
	KeyPrefixes []string `json:"key_prefixes,omitempty"`
	// ActsForUsers marks a service token (the Grafana app backend) that may
	// pass the identity of the end user it acts for.
	ActsForUsers bool       `json:"acts_for_users,omitempty"`
	SecretHash   SecretHash `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	CreatedBy    string     `json:"created_by"`
	ExpiresAt    time.Time  `json:"expires_at,omitzero"` // zero: never
	RevokedAt    time.Time  `json:"revoked_at,omitzero"` // zero: not revoked
}

// Usable reports whether the token may authenticate a request at now.
func (t Token) Usable(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// PrepareToken validates t and normalises its times (CreatedAt is set to
// now when zero). Backends call it in CreateToken.
func PrepareToken(t Token, now time.Time) (Token, error) {
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	t.CreatedAt = NormalizeTime(t.CreatedAt)
	t.ExpiresAt = NormalizeTime(t.ExpiresAt)
	t.RevokedAt = NormalizeTime(t.RevokedAt)
	t.Clusters, t.KeyPrefixes = cloneOrNil(t.Clusters), cloneOrNil(t.KeyPrefixes)
	switch {
	case t.ID == "":
		return t, fmt.Errorf("token: id is empty: %w", ErrInvalid)
	case t.Role == "":
		return t, fmt.Errorf("token %s: role is empty: %w", t.ID, ErrInvalid)
	case t.SecretHash == SecretHash{}:
		return t, fmt.Errorf("token %s: secret hash is empty: %w", t.ID, ErrInvalid)
	case !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(t.CreatedAt):
		return t, fmt.Errorf("token %s: expires before it is created: %w", t.ID, ErrInvalid)
	}
	return t, nil
}

func cloneOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}
