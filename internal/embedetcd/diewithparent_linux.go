package embedetcd

import "syscall"

// dieWithParent makes the kernel kill a member process when the process that started it
// dies, even by SIGKILL, so that no etcd outlives a killed test binary.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
