// Package regress tells a real change in a benchmark's per-second throughput and p99 from
// noise: a circular block bootstrap of the relative difference of medians, with the block
// length chosen from the samples' autocorrelation (Politis and White), and a minimum effect
// that matters, so that "regressed" means slower by more than that with the chosen confidence.
package regress
