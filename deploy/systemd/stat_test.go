package systemd

import (
	"fmt"
	"os"
	"syscall"
)

func statUID(fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprint(st.Uid)
	}
	return ""
}
