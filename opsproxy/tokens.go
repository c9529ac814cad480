package opsproxy

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// TokenPrefix starts every token secret, so that a leaked one is easy to recognise.
const TokenPrefix = "emt_"

// TokenSpec describes a token to create.
type TokenSpec struct {
	Name string
	// Role is viewer, editor or admin.
	Role string
	// Clusters limits the token to these clusters (empty: all).
	Clusters []string
	// KeyPrefixes limits writes to keys under these prefixes (empty: all).
	KeyPrefixes []string
	// ActsForUsers makes a service token that may pass a Grafana user and org role.
	ActsForUsers bool
	// ExpiresAt is when the token stops working (zero: never).
	ExpiresAt time.Time
	// CreatedBy names who created it.
	CreatedBy string
}

// NewTokenSecret returns a fresh random token secret.
func NewTokenSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// CreateToken stores a new token in ts and returns its secret, which is shown once and kept
// nowhere: only its sha256 is stored.
func CreateToken(ctx context.Context, ts store.TokenStore, spec TokenSpec) (string, store.Token, error) {
	secret := NewTokenSecret()
	tok, err := createTokenWithSecret(ctx, ts, spec, secret)
	return secret, tok, err
}

func createTokenWithSecret(ctx context.Context, ts store.TokenStore, spec TokenSpec, secret string) (store.Token, error) {
	if strings.TrimSpace(spec.Name) == "" {
		return store.Token{}, errorf(http.StatusBadRequest, "name: must not be empty")
	}
	if _, err := ParseRole(spec.Role); err != nil {
		return store.Token{}, errorf(http.StatusBadRequest, "%w", err)
	}
	for i, p := range spec.KeyPrefixes {
		if p == "" {
			return store.Token{}, errorf(http.StatusBadRequest, "key_prefixes[%d]: must not be empty", i)
		}
	}
	tok := store.Token{
		ID:           store.NewID()[:16],
		Name:         spec.Name,
		Role:         spec.Role,
		Clusters:     spec.Clusters,
		KeyPrefixes:  spec.KeyPrefixes,
		ActsForUsers: spec.ActsForUsers,
		SecretHash:   store.HashSecret(secret),
		CreatedBy:    spec.CreatedBy,
		ExpiresAt:    spec.ExpiresAt,
	}
	tok, err := store.PrepareToken(tok, time.Now())
	if err != nil {
		return store.Token{}, errorf(http.StatusBadRequest, "%w", err)
	}
	if err := ts.CreateToken(ctx, tok); err != nil {
		return store.Token{}, storeError("create token", err)
	}
	return tok, nil
}

// bootstrap creates the admin token of BootstrapTokenFile when the store has no token yet.
// It reports whether a token was created.
func bootstrap(ctx context.Context, ts store.TokenStore, path string) (bool, error) {
	if path == "" {
		return false, nil
	}
	existing, err := ts.ListTokens(ctx)
	if err != nil {
		return false, fmt.Errorf("bootstrap token: list tokens: %w", err)
	}
	if len(existing) > 0 {
		return false, nil
	}
	secret, err := readOrWriteSecret(path)
	if err != nil {
		return false, fmt.Errorf("bootstrap token: %w", err)
	}
	if _, err := createTokenWithSecret(ctx, ts, TokenSpec{Name: "bootstrap-admin", Role: RoleAdmin.String(), CreatedBy: "bootstrap"}, secret); err != nil {
		return false, fmt.Errorf("bootstrap token: %w", err)
	}
	return true, nil
}

// readOrWriteSecret reads the secret from path, or writes a new one there when the file does
// not exist. Errors name the file, never its content.
func readOrWriteSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		secret := strings.TrimSpace(string(b))
		if len(secret) < 16 {
			return "", fmt.Errorf("%s: token must be at least 16 characters", path)
		}
		return secret, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	secret := NewTokenSecret()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return secret, nil
}

// createTokenRequest is the body of POST /api/v1/tokens.
type createTokenRequest struct {
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Clusters     []string  `json:"clusters,omitempty"`
	KeyPrefixes  []string  `json:"key_prefixes,omitempty"`
	ActsForUsers bool      `json:"acts_for_users,omitempty"`
	ExpiresIn    string    `json:"expires_in,omitempty"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
}

// createdToken is the answer to a token creation: the only time the secret is shown.
type createdToken struct {
	Token  store.Token `json:"token"`
	Secret string      `json:"secret"`
}

func (s *Server) createToken(c *opCall) (any, error) {
	var req createTokenRequest
	if err := decodeJSON(c.r, &req, 64<<10); err != nil {
		return nil, err
	}
	expires := req.ExpiresAt
	if req.ExpiresIn != "" {
		if !expires.IsZero() {
			return nil, errorf(http.StatusBadRequest, "expires_in: set at most one of expires_in and expires_at")
		}
		d, err := model.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			return nil, errorf(http.StatusBadRequest, "expires_in: want a positive duration such as 720h or 30d")
		}
		expires = time.Now().Add(time.Duration(d))
	}
	for i, name := range req.Clusters {
		if _, ok := s.state.Load().clusters[name]; !ok {
			return nil, errorf(http.StatusBadRequest, "clusters[%d]: no cluster %q", i, name)
		}
	}
	// A token may not reach further than the one that creates it.
	if scope := c.p.token.Clusters; len(scope) > 0 {
		if len(req.Clusters) == 0 {
			return nil, deniedf("clusters: must be set, as the creating token is limited to %s", strings.Join(scope, ", "))
		}
		for _, name := range req.Clusters {
			if !slices.Contains(scope, name) {
				return nil, deniedf("clusters: %q is outside the creating token's clusters", name)
			}
		}
	}
	if err := c.commitIntent(); err != nil {
		return nil, err
	}
	secret, tok, err := CreateToken(c.r.Context(), s.store, TokenSpec{
		Name: req.Name, Role: req.Role, Clusters: req.Clusters, KeyPrefixes: req.KeyPrefixes,
		ActsForUsers: req.ActsForUsers, ExpiresAt: expires, CreatedBy: c.p.user,
	})
	if err != nil {
		return nil, err
	}
	c.rec.Key = []byte(tok.ID)
	c.status = http.StatusCreated
	return createdToken{Token: tok, Secret: secret}, nil
}

func (s *Server) listTokens(c *opCall) (any, error) {
	toks, err := s.store.ListTokens(c.r.Context())
	if err != nil {
		return nil, storeError("list tokens", err)
	}
	if toks == nil {
		toks = []store.Token{}
	}
	return map[string]any{"tokens": toks}, nil
}

func (s *Server) revokeToken(c *opCall) (any, error) {
	id := c.r.PathValue("id")
	c.rec.Key = []byte(id)
	if err := c.commitIntent(); err != nil {
		return nil, err
	}
	tok, err := s.store.RevokeToken(c.r.Context(), id, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(http.StatusNotFound, "no token %q", id)
	}
	if err != nil {
		return nil, storeError("revoke token", err)
	}
	s.auth.forget(id)
	return map[string]any{"token": tok}, nil
}
