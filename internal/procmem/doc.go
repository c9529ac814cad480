// Package procmem samples a process's resident memory from /proc, for benchmarks that report
// the peak memory of a phase (a backup, an upload) rather than of the whole run.
package procmem
