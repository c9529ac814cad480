// Package regress tells a real change in a benchmark's per-second throughput and p99 from
// noise: a circular block bootstrap of the ratio of medians, with the block length chosen from
// the samples' autocorrelation (Politis and White), an interval widened by Student's t on the
// number of blocks, and a minimum effect that matters, so that "regressed" means worse by more
// than that effect with the chosen confidence.
package regress
