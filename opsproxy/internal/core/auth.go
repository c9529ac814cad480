package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/config"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/storehealth"
)

// Authenticator turns a bearer token into a Principal. Tokens are looked up by the sha256 of
// their secret and kept for a short time, so that a busy client does not cost a store read per
// request. While the store is down, a token read less than token_cache_max_stale ago is still
// accepted (see tokenrefresh.go for how it is read again once the store is back).
type Authenticator struct {
	tokens     store.TokenStore
	ttl        time.Duration
	maxStale   time.Duration
	userHeader string
	roleHeader string
	now        func() time.Time

	cache      *tokenCache
	health     *storehealth.Tracker
	onStaleUse func()
}

// NewAuthenticator looks tokens up in tokens, as cfg says.
func NewAuthenticator(tokens store.TokenStore, cfg config.AuthConfig) *Authenticator {
	return &Authenticator{
		tokens:     tokens,
		ttl:        time.Duration(cfg.TokenCacheTTL),
		maxStale:   time.Duration(cfg.TokenCacheMaxStale),
		userHeader: cfg.Grafana.UserHeader,
		roleHeader: cfg.Grafana.RoleHeader,
		now:        time.Now,
		cache:      newTokenCache(maxCachedTokens),
		health:     storehealth.New(nil),
	}
}

// SetOutage shares the server's view of the store with the authenticator and tells
// onStaleUse (may be nil) of every request accepted on a cached token past its TTL. Call it
// before serving.
func (a *Authenticator) SetOutage(health *storehealth.Tracker, onStaleUse func()) {
	a.health, a.onStaleUse = health, onStaleUse
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
		// The cause (driver text, addresses) is for the log only.
		return store.Token{}, apihttp.Wrap(http.StatusServiceUnavailable, "token store unavailable", err)
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
	c, ok := a.cache.get(h)
	if ok && now.Sub(c.fetched) < a.ttl {
		return c.token, nil
	}
	if ok && !a.health.Up() && a.stillUsable(c, now) {
		// Known to be down: do not wait for the store (the refresh loop finds out when it is
		// back).
		return c.token, nil
	}
	tok, err := a.tokens.TokenBySecretHash(ctx, h)
	a.health.Observe(err)
	switch {
	case err == nil:
		// A revocation or a new expiry made meanwhile replaces the cached copy here.
		a.cache.put(h, tok, now)
		return tok, nil
	case errors.Is(err, store.ErrNotFound):
		a.cache.remove(h)
		return store.Token{}, err
	case ok && storehealth.IsOutage(err) && a.stillUsable(c, now):
		return c.token, nil
	}
	return store.Token{}, err
}

// stillUsable reports whether a cached token past its TTL may be used while the store is
// down: it was read from the store less than maxStale ago. Its ExpiresAt is still checked by
// Authenticate.
func (a *Authenticator) stillUsable(c cachedToken, now time.Time) bool {
	if a.maxStale <= 0 || now.Sub(c.fetched) >= a.maxStale {
		return false
	}
	if a.onStaleUse != nil {
		a.onStaleUse()
	}
	return true
}

// Forget drops a token from the cache, so that its revocation takes effect at once here.
func (a *Authenticator) Forget(id string) {
	a.cache.removeID(id)
}

// Principal returns who the request acts as: the token itself, or, when the Grafana headers
// are present, the Grafana user a service token acts for, with what g grants the user's org
// role (grafanaGrant): never more than the token.
func (a *Authenticator) Principal(r *http.Request, tok store.Token, g config.GrafanaConfig) (*Principal, error) {
	tokenRole, err := ParseRole(tok.Role)
	if err != nil {
		return &Principal{Token: tok, User: tok.Name}, apihttp.Deniedf("token %s: %w", tok.ID, err)
	}
	p := &Principal{Token: tok, User: tok.Name, Role: tokenRole, KeyPrefixes: tok.KeyPrefixes}
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
	p.Role, p.KeyPrefixes, err = grafanaGrant(g, tok, tokenRole, role, r.Header.Get(g.OrgHeader))
	return p, err
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
