package opsproxy

import "github.com/etcd-monitor/etcd-monitor/internal/jobs"

// jobKinds are the kinds of job that s enqueues and that its workers, and those of
// `etcd-monitor worker`, run: both get them here, so neither meets a kind the other does not
// know.
func jobKinds(s *Server) []jobs.Kind { return nil }
