// Package baselines is what the areas that keep stored results (benchmarks, disk tests) share
// about named baselines: the checks on a name in a path, and setting a baseline from a request
// body naming a result, audited before the change.
package baselines
