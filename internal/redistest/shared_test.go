package redistest

import (
	"context"
	"regexp"
	"testing"
)

func TestKeyPrefixIsNewEachTime(t *testing.T) {
	a, b := KeyPrefix(), KeyPrefix()
	if !regexp.MustCompile(`^etcd-monitor-test:[0-9a-f]{12}:$`).MatchString(a) {
		t.Fatalf("prefix %q, want etcd-monitor-test:<12 hex digits>:", a)
	}
	if a == b {
		t.Fatalf("two prefixes both %q", a)
	}
}

func TestSharedDeletesTheTestsKeysAtCleanup(t *testing.T) {
	ctx := context.Background()
	var prefix string
	t.Run("writer", func(t *testing.T) {
		cli, p := Shared(t)
		prefix = p
		if err := cli.Set(ctx, p+"a", "1", 0).Err(); err != nil {
			t.Fatal(err)
		}
	})
	cli, _ := Shared(t)
	if keys, err := cli.Keys(ctx, prefix+"*").Result(); err != nil || len(keys) != 0 {
		t.Fatalf("keys under %s after the subtest: %v, %v; want none", prefix, keys, err)
	}
}
