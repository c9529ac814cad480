// Package etcdconn is the one etcd connection layer of the exporter and opsproxy: a cluster's
// clients (over all endpoints, and pinned to one member) made in the background and retried after
// a failure, the check that tells a reload whether they must be made again, why a member cannot
// be reached (refused, TLS, auth, timeout, unreachable) and etcdctl's definition of a healthy member.
package etcdconn
