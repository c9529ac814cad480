package tokens

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// Prefix starts every token secret, so that a leaked one is easy to recognise.
const Prefix = "emt_"

// Spec describes a token to create.
type Spec struct {
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

// NewSecret returns a fresh random token secret.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return Prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Create stores a new token in ts and returns its secret, which is shown once and kept
// nowhere: only its sha256 is stored.
func Create(ctx context.Context, ts store.TokenStore, spec Spec) (string, store.Token, error) {
	secret := NewSecret()
	tok, err := createWithSecret(ctx, ts, spec, secret)
	return secret, tok, err
}

func createWithSecret(ctx context.Context, ts store.TokenStore, spec Spec, secret string) (store.Token, error) {
	if strings.TrimSpace(spec.Name) == "" {
		return store.Token{}, apihttp.Errorf(http.StatusBadRequest, "name: must not be empty")
	}
	if _, err := core.ParseRole(spec.Role); err != nil {
		return store.Token{}, apihttp.Errorf(http.StatusBadRequest, "%w", err)
	}
	for i, p := range spec.KeyPrefixes {
		if p == "" {
			return store.Token{}, apihttp.Errorf(http.StatusBadRequest, "key_prefixes[%d]: must not be empty", i)
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
		return store.Token{}, apihttp.Errorf(http.StatusBadRequest, "%w", err)
	}
	if err := ts.CreateToken(ctx, tok); err != nil {
		return store.Token{}, apihttp.StoreError("create token", err)
	}
	return tok, nil
}

// Bootstrap creates the admin token of BootstrapTokenFile when the store has no token yet.
// It reports whether a token was created.
func Bootstrap(ctx context.Context, ts store.TokenStore, path string) (bool, error) {
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
	if _, err := createWithSecret(ctx, ts, Spec{Name: "bootstrap-admin", Role: core.RoleAdmin.String(), CreatedBy: "bootstrap"}, secret); err != nil {
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
	secret := NewSecret()
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
