// Package cputime reads the CPU time (user plus system) used by this process and by other
// processes of the machine, for benchmarks that report CPU per operation.
package cputime
