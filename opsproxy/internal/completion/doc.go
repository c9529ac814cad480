// Package completion completes console command lines for opsproxy's
// GET /api/v1/clusters/{cluster}/complete: command and subcommand names, flags and their
// values from the console's etcdctl grammar, and, from the cluster itself, key names (grouped
// by the next path segment, found by skip-scan), member ids and names, lease ids, and the
// snapshots opsproxy keeps. It never runs a command.
package completion
