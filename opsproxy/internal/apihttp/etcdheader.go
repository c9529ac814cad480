package apihttp

import (
	"fmt"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
)

// Header is etcd's response header, as every answer that reaches etcd carries it.
type Header struct {
	ClusterID string `json:"cluster_id"`
	MemberID  string `json:"member_id"`
	Revision  int64  `json:"revision"`
	RaftTerm  uint64 `json:"raft_term"`
}

// HeaderOf is h as answered.
func HeaderOf(h *etcdserverpb.ResponseHeader) Header {
	if h == nil {
		return Header{}
	}
	return Header{ClusterID: fmt.Sprintf("%x", h.ClusterId), MemberID: fmt.Sprintf("%x", h.MemberId),
		Revision: h.Revision, RaftTerm: h.RaftTerm}
}
