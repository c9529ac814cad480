// Package ctl is `etcd-monitor ctl`: etcdctl's commands run through opsproxy's console API, so
// that they pass its roles and audit. With command words it is a one-shot drop-in for etcdctl
// (same output, same exit codes); without, an interactive shell with completion and the
// user's history kept by opsproxy.
package ctl
