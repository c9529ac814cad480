// Package apihttp is the HTTP plumbing every opsproxy API area shares: errors and the status
// each is answered with, JSON request and answer bodies, query parameters and request ids.
package apihttp
