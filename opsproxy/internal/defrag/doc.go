// Package defrag holds what opsproxy's synchronous defragment endpoint and the defragment job
// kind share: the order of the members (followers first, the leader last), the defragmentation
// of one member through the client pinned to it, and the rule that says whether a member needs
// it (a small expression over its database sizes and quota, as etcd-defrag's --defrag-rule).
package defrag
