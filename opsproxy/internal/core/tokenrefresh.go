package core

import (
	"context"
	"errors"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// TokenRefreshInterval is how often, while the store is down, the authenticator asks it again
// and, once it answers, reads every cached token anew, so that revocations made during the
// outage apply within a few seconds of its end even to tokens not used since.
const TokenRefreshInterval = 2 * time.Second

// RefreshLoop runs until ctx ends: every interval while the store is down (and once more after
// it came back), it reads the cached tokens again; with none cached it asks for an unknown
// token, which tells whether the store answers.
func (a *Authenticator) RefreshLoop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	due := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !a.health.Up() {
			due = true
		}
		if due && a.refresh(ctx, interval) {
			due = false
		}
	}
}

// refresh reads every cached token again; it reports whether the store answered for all.
func (a *Authenticator) refresh(ctx context.Context, timeout time.Duration) bool {
	hashes := a.cache.hashes()
	if len(hashes) == 0 {
		hashes = []store.SecretHash{{}}
	}
	for _, h := range hashes {
		now := a.now()
		cctx, cancel := context.WithTimeout(ctx, timeout)
		tok, err := a.tokens.TokenBySecretHash(cctx, h)
		cancel()
		a.health.Observe(err)
		switch {
		case err == nil:
			a.cache.refreshed(h, tok, now)
		case errors.Is(err, store.ErrNotFound):
			a.cache.remove(h)
		default:
			return false
		}
	}
	return true
}
