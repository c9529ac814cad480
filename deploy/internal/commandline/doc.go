// Package commandline parses an etcd-monitor command line as the binary does, without running
// it, so that the deployment tests can check that every flag a manifest or unit passes exists.
package commandline
