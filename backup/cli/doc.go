// Package cli is `etcd-monitor backup`: the operator's commands on backup locations (list,
// verify, recover a whole cluster, download), reading the locations and their encryption keys
// from opsproxy's configuration file, without opsproxy or the history store running.
package cli
