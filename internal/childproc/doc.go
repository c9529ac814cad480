// Package childproc holds what the suite's child processes (embedded etcd members, a restore
// drill's throwaway member) need from the platform to die with the process that started them.
package childproc
