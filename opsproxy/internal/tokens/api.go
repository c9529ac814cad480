package tokens

import (
	"errors"
	"net/http"
	"time"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/prometheus/common/model"
)

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

// CreatedToken is the answer to a token creation: the only time the secret is shown.
type CreatedToken struct {
	Token  store.Token `json:"token"`
	Secret string      `json:"secret"`
}

func (s *api) createToken(c *core.Call) (any, error) {
	var req createTokenRequest
	if err := apihttp.DecodeJSON(c.R, &req, 64<<10); err != nil {
		return nil, err
	}
	expires := req.ExpiresAt
	if req.ExpiresIn != "" {
		if !expires.IsZero() {
			return nil, apihttp.Errorf(http.StatusBadRequest, "expires_in: set at most one of expires_in and expires_at")
		}
		d, err := model.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			return nil, apihttp.Errorf(http.StatusBadRequest, "expires_in: want a positive duration such as 720h or 30d")
		}
		expires = time.Now().Add(time.Duration(d))
	}
	for i, name := range req.Clusters {
		if _, ok := s.State().Clusters[name]; !ok {
			return nil, apihttp.Errorf(http.StatusBadRequest, "clusters[%d]: no cluster %q", i, name)
		}
	}
	// A token may not reach further than the one that creates it (see scope.go).
	if err := scopeOfPrincipal(c.P).within(scope{clusters: req.Clusters, prefixes: req.KeyPrefixes}, "the new token"); err != nil {
		return nil, err
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	secret, tok, err := Create(c.R.Context(), s.Store, Spec{
		Name: req.Name, Role: req.Role, Clusters: req.Clusters, KeyPrefixes: req.KeyPrefixes,
		ActsForUsers: req.ActsForUsers, ExpiresAt: expires, CreatedBy: c.P.User,
	})
	if err != nil {
		return nil, err
	}
	c.Rec.Key = []byte(tok.ID)
	c.Status = http.StatusCreated
	return CreatedToken{Token: tok, Secret: secret}, nil
}

func (s *api) listTokens(c *core.Call) (any, error) {
	toks, err := s.Store.ListTokens(c.R.Context())
	if err != nil {
		return nil, apihttp.StoreError("list tokens", err)
	}
	// Only the tokens the caller manages (see scope.go).
	own := scopeOfPrincipal(c.P)
	shown := []store.Token{}
	for _, t := range toks {
		if own.manages(t) {
			shown = append(shown, t)
		}
	}
	toks = shown
	return map[string]any{"tokens": toks}, nil
}

func (s *api) revokeToken(c *core.Call) (any, error) {
	id := c.R.PathValue("id")
	c.Rec.Key = []byte(id)
	target, err := s.Store.Token(c.R.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apihttp.Errorf(http.StatusNotFound, "no token %q", id)
	}
	if err != nil {
		return nil, apihttp.StoreError("revoke token", err)
	}
	if err := scopeOfPrincipal(c.P).within(scopeOf(target), "token "+target.ID); err != nil {
		return nil, err
	}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	tok, err := s.Store.RevokeToken(c.R.Context(), id, time.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, apihttp.Errorf(http.StatusNotFound, "no token %q", id)
	}
	if err != nil {
		return nil, apihttp.StoreError("revoke token", err)
	}
	s.Auth.Forget(id)
	return map[string]any{"token": tok}, nil
}
