// Package diskapi is opsproxy's disk-tests area: the diskprobe agents configured for a
// cluster's members, the stored results of disk-test jobs (list, show, compare with the
// member's baseline or another result) and each member's baseline. Tests are started as jobs
// of kind "disktest".
package diskapi
