//go:build linux

package diskprobe

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Filesystem magics (statfs f_type) for when /proc/self/mountinfo does not say.
var fsMagics = map[int64]string{
	0xEF53:     "ext4",
	0x58465342: "xfs",
	0x9123683E: "btrfs",
	0x01021994: "tmpfs",
	0x858458F6: "ramfs",
	0x794C7630: "overlay",
	0x2FC12FC1: "zfs",
	0xF2F52010: "f2fs",
	0x6969:     "nfs",
	0x01021997: "9p",
	0x65735546: "fuse",
	0x73717368: "squashfs",
}

// fsInfo says which filesystem dir is on: type, device, mount point and free space.
func fsInfo(dir string) (FSInfo, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return FSInfo{}, fmt.Errorf("statfs %s: %w", dir, err)
	}
	info := FSInfo{FreeBytes: st.Bavail * uint64(st.Bsize)}
	if t, ok := fsMagics[int64(st.Type)]; ok {
		info.Type = t
	} else {
		info.Type = fmt.Sprintf("0x%x", st.Type)
	}
	var s unix.Stat_t
	if err := unix.Stat(dir, &s); err != nil {
		return info, fmt.Errorf("stat %s: %w", dir, err)
	}
	abs, err := filepath.EvalSymlinks(dir)
	if err != nil {
		abs = dir
	}
	abs, _ = filepath.Abs(abs)
	if m, ok := findMount("/proc/self/mountinfo", unix.Major(s.Dev), unix.Minor(s.Dev), abs); ok {
		info.Device, info.MountPoint = m.source, m.point
		if m.fstype != "" {
			info.Type = m.fstype
		}
	}
	return info, nil
}

type mountEntry struct{ point, fstype, source string }

// findMount reads a mountinfo file for the mount of device major:minor holding path (the
// longest mount point that is a prefix of path); without a device match, the longest prefix.
func findMount(file string, major, minor uint32, path string) (mountEntry, bool) {
	f, err := os.Open(file)
	if err != nil {
		return mountEntry{}, false
	}
	defer f.Close()
	dev := fmt.Sprintf("%d:%d", major, minor)
	var best, bestAny mountEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(tail) < 2 {
			continue
		}
		m := mountEntry{point: unescapeMount(fields[4]), fstype: tail[0], source: unescapeMount(tail[1])}
		if !under(path, m.point) {
			continue
		}
		if len(m.point) >= len(bestAny.point) {
			bestAny = m
		}
		if fields[2] == dev && len(m.point) >= len(best.point) {
			best = m
		}
	}
	if best.point != "" {
		return best, true
	}
	return bestAny, bestAny.point != ""
}

func under(path, point string) bool {
	return point == "/" || path == point || strings.HasPrefix(path, point+"/")
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// deviceOf is the device id of the filesystem holding path.
func deviceOf(path string) (uint64, bool) {
	var s unix.Stat_t
	if unix.Stat(path, &s) != nil {
		return 0, false
	}
	return s.Dev, true
}
