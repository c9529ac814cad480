//go:build linux

package diskprobe

import "testing"

func TestFindMountPicksTheDevicesLongestMountPoint(t *testing.T) {
	cases := []struct {
		name         string
		major, minor uint32
		path         string
		want         mountEntry
	}{
		{"root", 253, 0, "/var/tmp/x", mountEntry{"/", "ext4", "/dev/vda"}},
		{"member data dir", 259, 1, "/var/lib/etcd", mountEntry{"/var/lib/etcd", "xfs", "/dev/nvme0n1p1"}},
		{"wal on its own disk", 259, 2, "/var/lib/etcd/member/wal", mountEntry{"/var/lib/etcd/member/wal", "xfs", "/dev/nvme1n1"}},
		{"tmpfs", 0, 23, "/dev/shm/probe", mountEntry{"/dev/shm", "tmpfs", "tmpfs"}},
		{"escaped mount point", 253, 0, "/mnt/bind dir/a", mountEntry{"/mnt/bind dir", "ext4", "/dev/vda"}},
		{"unknown device: longest prefix", 9, 9, "/var/lib/etcd/x", mountEntry{"/var/lib/etcd", "xfs", "/dev/nvme0n1p1"}},
	}
	for _, tc := range cases {
		got, ok := findMount("testdata/mountinfo", tc.major, tc.minor, tc.path)
		if !ok || got != tc.want {
			t.Errorf("%s: %+v %v, want %+v", tc.name, got, ok, tc.want)
		}
	}
}

func TestFSInfoNamesTheFilesystemOfATempDir(t *testing.T) {
	info, err := fsInfo(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if info.Type == "" || info.MountPoint == "" || info.Device == "" || info.FreeBytes == 0 {
		t.Fatalf("fsInfo = %+v", info)
	}
}
