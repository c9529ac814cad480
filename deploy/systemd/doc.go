// Package systemd holds no code: its tests check the systemd units of deploy/systemd (one per
// long-running command) with systemd-analyze verify and security, parse their command lines as
// the binary does, and apply the diskprobe agent's sysusers.d and tmpfiles.d files to a
// temporary root.
package systemd
