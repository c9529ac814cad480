package opsproxy

import (
	"context"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/tokens"
)

// TokenPrefix starts every token secret, so that a leaked one is easy to recognise.
const TokenPrefix = tokens.Prefix

// TokenSpec describes a token to create.
type TokenSpec = tokens.Spec

// NewTokenSecret returns a fresh random token secret.
func NewTokenSecret() string { return tokens.NewSecret() }

// CreateToken stores a new token in ts and returns its secret, which is shown once and kept
// only as its hash.
func CreateToken(ctx context.Context, ts store.TokenStore, spec TokenSpec) (string, store.Token, error) {
	return tokens.Create(ctx, ts, spec)
}

// Role is what a principal may do; each role includes the ones below it.
type Role = core.Role

// Roles, lowest first.
const (
	RoleNone   = core.RoleNone
	RoleViewer = core.RoleViewer
	RoleEditor = core.RoleEditor
	RoleAdmin  = core.RoleAdmin
)

// ParseRole reads "viewer", "editor" or "admin".
func ParseRole(s string) (Role, error) { return core.ParseRole(s) }
