// Package maintenance is opsproxy's maintenance area: compaction, member-by-member
// defragmentation with health checks between members, and named snapshots (save, list,
// status, restore into a new data directory).
package maintenance
