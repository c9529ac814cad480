// Package benchapi is opsproxy's benchmarks area: the stored runs of benchmark jobs (list,
// show, compare with a baseline or another run by the regression test on their per-second
// samples) and each cluster's named baselines. Runs are started as jobs of kind "benchmark".
package benchapi
