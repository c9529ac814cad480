// Package localagents starts diskprobe agents in this process, one per etcd member, each
// probing its own directory and served on a loopback port: the disk agents of `etcd-monitor
// demo` and of the standalone console's browser tests, configured in opsproxy as any
// cluster's disk_agents are.
package localagents
