//go:build !linux

package embedetcd

import "syscall"

// dieWithParent has no kernel help outside Linux (no Pdeathsig on darwin): a member process
// stops when its stdin closes, which happens when the process that started it exits or is
// killed; only a member wedged before it reads stdin can outlive its parent there.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
