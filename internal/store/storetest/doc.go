// Package storetest is the contract every store.Store backend passes: Run
// takes a Backend (open, reopen, and tamper with storage underneath the
// store) and checks audit chaining, verification, retention, tokens,
// results and baselines, concurrency and restarts. BenchmarkAppend measures
// audited appends per second.
package storetest
