// Package diskprobe answers "is this disk fast enough for etcd?": it writes as etcd's WAL
// writes (a preallocated segment, small appends each followed by fdatasync) and reports the
// sync latency against etcd's production line (p99 < 10 ms), natively or through fio with the
// same job. An agent mode runs small probes on each etcd host and serves their metrics.
package diskprobe
