// Package redistest starts a redis-server of a test's own on a free loopback port, which the
// test may stop (SIGKILL) and start again on the same port, optionally with a password.
package redistest
