package benchrunner

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// EnsurePrefixEmpty connects as Run does (within the dial timeout) and refuses a prefix that
// holds keys (ErrPrefixInUse, wrapped), for callers that run several commands under one prefix
// and must check it before the first, whatever that command is (bench check's profiles).
func EnsurePrefixEmpty(ctx context.Context, cfg clientv3.Config, prefix string) error {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	cli, err := newReachableClient(ctx, cfg)
	if err != nil {
		return err
	}
	defer cli.Close()
	return checkPrefixEmpty(ctx, cli, prefix)
}
