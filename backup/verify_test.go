package backup

import (
	"crypto/sha256"
	"os"
	"strings"
	"testing"
)

func TestVerifyFailsNamingTheFileWhenTruncatedOrByteFlipped(t *testing.T) {
	ctx := ctxFor(t)
	loc := newDir(t)
	e, cli := sharedEngine(t, loc, nil)
	fill(t, cli, clusterName(t), 300, 200)
	for _, tc := range []struct {
		name    string
		damage  func(b []byte) []byte
		record  bool
		wantErr string
	}{
		{"truncated, against its record", func(b []byte) []byte { return b[:len(b)/2] }, true, "altered or cut short"},
		{"truncated to 4 KiB, no record", func(b []byte) []byte { return b[:4096] }, false, "not a snapshot etcd can read"},
		{"one byte flipped, against its record", flip, true, "altered or cut short"},
		{"one byte flipped, no record", flip, false, "snapshot integrity check failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := e.Backup(ctx)
			if err != nil {
				t.Fatal(err)
			}
			path := loc.Path(rec.Name)
			raw, _ := os.ReadFile(path)
			if err := os.WriteFile(path, tc.damage(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			want := &rec
			if !tc.record {
				want = nil
			}
			v, err := e.Verify(ctx, rec.Name, want)
			if err == nil || v.OK || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), rec.Name) || v.Error != err.Error() {
				t.Fatalf("verify: %+v, %v; want an error naming %s with %q", v, err, rec.Name, tc.wantErr)
			}
			os.Remove(path)
		})
	}
	noScratchLeft(t, e)
}

// flip changes one byte in the middle of a page of keys.
func flip(b []byte) []byte {
	b[len(b)/2] ^= 0x5a
	return b
}

func TestChecksumWriterMatchesWhateverTheWriteSizes(t *testing.T) {
	data := []byte(strings.Repeat("0123456789abcdef", 64)) // 1024 bytes
	sum := sha256Of(data)
	whole := append(append([]byte{}, data...), sum...)
	for _, chunk := range []int{1, 7, 31, 32, 33, 100, 4096} {
		c := newChecksumWriter()
		for i := 0; i < len(whole); i += chunk {
			c.Write(whole[i:min(i+chunk, len(whole))])
		}
		if present, ok := c.result(); !present || !ok {
			t.Fatalf("chunks of %d: present %v ok %v", chunk, present, ok)
		}
	}
}

func sha256Of(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}
