// Package tokens is opsproxy's tokens area: API tokens (created with their secret shown once,
// listed, revoked), and the bootstrap admin token made on first start.
package tokens
