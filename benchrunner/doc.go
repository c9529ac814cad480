// Package benchrunner load-tests etcd as etcd's `benchmark` tool does (the same commands,
// flags, defaults and text report) but measures right: HDR histograms that do not grow with
// the number of requests, latency from each request's intended start when a rate is set
// (coordinated omission), service time beside it, and per-second samples. Runs are judged
// against SLO profiles, stored in the history store and compared with baselines.
package benchrunner
