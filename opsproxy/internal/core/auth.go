package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
)

// Authenticator turns a bearer token into a Principal. Tokens are looked up by the sha256 of
// their secret and kept for a short time, so that a busy client does not cost a store read per
// request.
type Authenticator struct {
	tokens     store.TokenStore
	ttl        time.Duration
	userHeader string
	roleHeader string
	now        func() time.Time

	mu    sync.Mutex
	cache map[store.SecretHash]cachedToken
}

type cachedToken struct {
	token   store.Token
	fetched time.Time
}

// NewAuthenticator looks tokens up in tokens, as cfg says.
func NewAuthenticator(tokens store.TokenStore, cfg config.AuthConfig) *Authenticator {
	return &Authenticator{
		tokens:     tokens,
		ttl:        time.Duration(cfg.TokenCacheTTL),
		userHeader: cfg.Grafana.UserHeader,
		roleHeader: cfg.Grafana.RoleHeader,
		now:        time.Now,
		cache:      map[store.SecretHash]cachedToken{},
	}
}

// Authenticate returns the usable token the request carries, or a 401 *AuthError saying why.
func (a *Authenticator) Authenticate(r *http.Request) (store.Token, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if h == "" {
		return store.Token{}, authErrorf(ReasonMissing, "", "missing bearer token")
	}
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return store.Token{}, authErrorf(ReasonMalformed, "", "authorization header: want Bearer <token>")
	}
	tok, err := a.lookup(r.Context(), store.HashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return store.Token{}, authErrorf(ReasonUnknown, "", "unknown token")
	}
	if err != nil {
		return store.Token{}, apihttp.Errorf(http.StatusServiceUnavailable, "token store unavailable: %w", err)
	}
	now := a.now()
	switch {
	case !tok.RevokedAt.IsZero():
		return store.Token{}, authErrorf(ReasonRevoked, tok.ID, "token %s was revoked", tok.ID)
	case !tok.Usable(now):
		return store.Token{}, authErrorf(ReasonExpired, tok.ID, "token %s has expired", tok.ID)
	}
	return tok, nil
}

func (a *Authenticator) lookup(ctx context.Context, h store.SecretHash) (store.Token, error) {
	now := a.now()
	a.mu.Lock()
	c, ok := a.cache[h]
	a.mu.Unlock()
	if ok && now.Sub(c.fetched) < a.ttl {
		return c.token, nil
	}
	tok, err := a.tokens.TokenBySecretHash(ctx, h)
	if err != nil {
		return store.Token{}, err
	}
	a.mu.Lock()
	if len(a.cache) > 10000 {
		clear(a.cache)
	}
	a.cache[h] = cachedToken{token: tok, fetched: now}
	a.mu.Unlock()
	return tok, nil
}

// Forget drops a token from the cache, so that its revocation takes effect at once here.
func (a *Authenticator) Forget(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for h, c := range a.cache {
		if c.token.ID == id {
			delete(a.cache, h)
		}
	}
}

// Principal returns who the request acts as: the token itself, or, when the Grafana headers
// are present, the Grafana user a service token acts for, with the lower of the two roles.
func (a *Authenticator) Principal(r *http.Request, tok store.Token) (*Principal, error) {
	tokenRole, err := ParseRole(tok.Role)
	if err != nil {
		return &Principal{Token: tok, User: tok.Name}, apihttp.Deniedf("token %s: %w", tok.ID, err)
	}
	p := &Principal{Token: tok, User: tok.Name, Role: tokenRole}
	user, role := r.Header.Get(a.userHeader), r.Header.Get(a.roleHeader)
	if user == "" && role == "" {
		return p, nil
	}
	if !tok.ActsForUsers {
		return p, apihttp.Deniedf("token %s may not act for users (%s given)", tok.ID, a.userHeader)
	}
	if user == "" {
		return p, apihttp.Deniedf("%s is missing", a.userHeader)
	}
	if err := checkUserName(user); err != nil {
		// Recorded as the token's own name: the refused value is not written anywhere.
		return p, apihttp.Deniedf("%s: %w", a.userHeader, err)
	}
	p.User = user
	mapped, ok := grafanaRoles[role]
	if !ok {
		p.Role = RoleNone
		if len(role) > 16 {
			return p, apihttp.Deniedf("Grafana role has no access: want Viewer, Editor or Admin")
		}
		return p, apihttp.Deniedf("Grafana role %q has no access: want Viewer, Editor or Admin", role)
	}
	p.Role = min(tokenRole, mapped)
	return p, nil
}

// MaxUserNameLen is the longest end user name a service token may pass.
const MaxUserNameLen = 256

// checkUserName refuses an end user name that is too long or not printable text: it is
// recorded in the audit log and logged.
func checkUserName(user string) error {
	if len(user) > MaxUserNameLen {
		return fmt.Errorf("at most %d bytes", MaxUserNameLen)
	}
	if !utf8.ValidString(user) {
		return errors.New("must be UTF-8 text")
	}
	for _, r := range user {
		if !unicode.IsPrint(r) {
			return errors.New("must be printable, without control characters")
		}
	}
	return nil
}
