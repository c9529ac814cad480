// Package cluster is opsproxy's cluster area: the clusters a token may use, membership (list,
// add, promote, remove), per-member endpoint health and alarms.
package cluster
