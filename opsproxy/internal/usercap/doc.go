// Package usercap counts the streams (watches, job event streams) each end user holds open,
// across every opsproxy replica sharing one Redis, so that a per-user cap holds for the whole
// deployment rather than per process. Each process keeps its own counts in Redis under a lease
// it renews by heartbeat: the counts of a process that died expire with its lease. Without
// Redis, or while it does not answer, each process counts its own.
package usercap
