package core

import (
	"container/list"
	"sync"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// maxCachedTokens bounds the token cache; the least recently used token goes first. Only
// tokens found in the store are cached, so a flood of unknown secrets cannot push the tokens
// in use out of it.
const maxCachedTokens = 10000

// tokenCache keeps the tokens found in the store, with when each was read, most recently
// used first. It is safe for concurrent use.
type tokenCache struct {
	mu      sync.Mutex
	max     int
	entries map[store.SecretHash]*list.Element // of *cachedToken
	order   *list.List
}

type cachedToken struct {
	hash    store.SecretHash
	token   store.Token
	fetched time.Time
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{max: max, entries: map[store.SecretHash]*list.Element{}, order: list.New()}
}

// get returns the cached token of h and marks it used.
func (c *tokenCache) get(h store.SecretHash) (cachedToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[h]
	if !ok {
		return cachedToken{}, false
	}
	c.order.MoveToFront(e)
	return *e.Value.(*cachedToken), true
}

// put caches tok as read at fetched, dropping the least recently used token when full.
func (c *tokenCache) put(h store.SecretHash, tok store.Token, fetched time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[h]; ok {
		*e.Value.(*cachedToken) = cachedToken{hash: h, token: tok, fetched: fetched}
		c.order.MoveToFront(e)
		return
	}
	if c.order.Len() >= c.max {
		last := c.order.Back()
		delete(c.entries, last.Value.(*cachedToken).hash)
		c.order.Remove(last)
	}
	c.entries[h] = c.order.PushFront(&cachedToken{hash: h, token: tok, fetched: fetched})
}

// refreshed replaces the cached token of h after a read in the background, without marking
// it used; a token no longer cached stays out.
func (c *tokenCache) refreshed(h store.SecretHash, tok store.Token, fetched time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[h]; ok {
		*e.Value.(*cachedToken) = cachedToken{hash: h, token: tok, fetched: fetched}
	}
}

// remove drops the token of h.
func (c *tokenCache) remove(h store.SecretHash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[h]; ok {
		delete(c.entries, h)
		c.order.Remove(e)
	}
}

// removeID drops the token with the given id.
func (c *tokenCache) removeID(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for h, e := range c.entries {
		if e.Value.(*cachedToken).token.ID == id {
			delete(c.entries, h)
			c.order.Remove(e)
		}
	}
}

// hashes lists the cached tokens' hashes.
func (c *tokenCache) hashes() []store.SecretHash {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]store.SecretHash, 0, len(c.entries))
	for h := range c.entries {
		out = append(out, h)
	}
	return out
}
