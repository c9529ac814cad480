//go:build !linux

package childproc

import "syscall"

// DieWithParent has no kernel help outside Linux (no Pdeathsig on darwin): the suite's child
// processes stop when their stdin closes, which happens when the process that started them
// exits or is killed; only a child wedged before it reads stdin can outlive its parent there.
func DieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
