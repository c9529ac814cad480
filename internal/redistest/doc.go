// Package redistest gives tests a Redis: a redis-server of the test's own on a free loopback
// port, which the test may stop (SIGKILL) and start again on the same port, optionally with a
// password; or the shared test Redis under a key prefix of the test's own.
package redistest
