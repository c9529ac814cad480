//go:build !linux

package diskprobe

// fsInfo is Linux's (statfs magic and /proc/self/mountinfo); elsewhere the filesystem is not
// named and free space is not checked.
func fsInfo(string) (FSInfo, error) { return FSInfo{Type: "unknown"}, nil }

// deviceOf is not known off Linux: every path counts as one filesystem.
func deviceOf(string) (uint64, bool) { return 0, false }
