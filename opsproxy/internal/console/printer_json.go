// Copyright 2016 The etcd Authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.
//
// Ported from etcdctl 3.7.3 (go.etcd.io/etcd/etcdctl/v3/ctlv3/command) by etcd-monitor: the
// printers write to the console's buffers instead of the process's stdout and stderr.

package console

import (
	"encoding/json"
	"fmt"
	"io"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// jsonPrinter prints what etcdctl -w json prints: each response marshalled as one line.
type jsonPrinter struct {
	w     io.Writer
	isHex bool
}

type (
	hexResponseHeader pb.ResponseHeader
	hexMember         pb.Member
)

func (h *hexResponseHeader) MarshalJSON() ([]byte, error) {
	return json.Marshal(&struct {
		ClusterID string `json:"cluster_id"`
		MemberID  string `json:"member_id"`
		Revision  int64  `json:"revision,omitempty"`
		RaftTerm  uint64 `json:"raft_term,omitempty"`
	}{
		ClusterID: fmt.Sprintf("%x", h.ClusterId),
		MemberID:  fmt.Sprintf("%x", h.MemberId),
		Revision:  h.Revision,
		RaftTerm:  h.RaftTerm,
	})
}

func (m *hexMember) MarshalJSON() ([]byte, error) {
	return json.Marshal(&struct {
		ID         string   `json:"ID"`
		Name       string   `json:"name,omitempty"`
		PeerURLs   []string `json:"peerURLs,omitempty"`
		ClientURLs []string `json:"clientURLs,omitempty"`
		IsLearner  bool     `json:"isLearner,omitempty"`
	}{
		ID:         fmt.Sprintf("%x", m.ID),
		Name:       m.Name,
		PeerURLs:   m.PeerURLs,
		ClientURLs: m.ClientURLs,
		IsLearner:  m.IsLearner,
	})
}

func newJSONPrinter(isHex bool, w io.Writer) *jsonPrinter {
	return &jsonPrinter{w: w, isHex: isHex}
}

func (p *jsonPrinter) Del(r *clientv3.DeleteResponse) { p.print((*pb.DeleteRangeResponse)(r)) }
func (p *jsonPrinter) Get(r *clientv3.GetResponse)    { p.print((*pb.RangeResponse)(r)) }
func (p *jsonPrinter) Put(r *clientv3.PutResponse)    { p.print((*pb.PutResponse)(r)) }
func (p *jsonPrinter) Watch(r *clientv3.WatchResponse) {
	p.print(r)
}

func (p *jsonPrinter) Grant(r *clientv3.LeaseGrantResponse)                       { p.print(r) }
func (p *jsonPrinter) Revoke(_ clientv3.LeaseID, r *clientv3.LeaseRevokeResponse) { p.print(r) }
func (p *jsonPrinter) KeepAlive(r *clientv3.LeaseKeepAliveResponse)               { p.print(r) }
func (p *jsonPrinter) TimeToLive(r *clientv3.LeaseTimeToLiveResponse, _ bool)     { p.print(r) }
func (p *jsonPrinter) Leases(r *clientv3.LeaseLeasesResponse)                     { p.print(r) }
func (p *jsonPrinter) Alarm(r *clientv3.AlarmResponse)                            { p.print((*pb.AlarmResponse)(r)) }
func (p *jsonPrinter) MoveLeader(_, _ uint64, r *clientv3.MoveLeaderResponse) {
	p.print((*pb.MoveLeaderResponse)(r))
}

func (p *jsonPrinter) EndpointHealth(r []epHealth) { p.print(r) }
func (p *jsonPrinter) EndpointStatus(r []epStatus) { p.print(r) }
func (p *jsonPrinter) EndpointHashKV(r []epHashKV) { p.print(r) }

func (p *jsonPrinter) MemberAdd(r *clientv3.MemberAddResponse)                   { p.printJSON(r) }
func (p *jsonPrinter) MemberRemove(_ uint64, r *clientv3.MemberRemoveResponse)   { p.printJSON(r) }
func (p *jsonPrinter) MemberPromote(_ uint64, r *clientv3.MemberPromoteResponse) { p.printJSON(r) }
func (p *jsonPrinter) MemberList(r *clientv3.MemberListResponse)                 { p.printJSON(r) }

func (p *jsonPrinter) Txn(r *clientv3.TxnResponse) {
	p.print(txnResponseJSONFromProto((*pb.TxnResponse)(r)))
}

// print is etcdctl's printJSON: one line of JSON, or the marshalling error.
func (p *jsonPrinter) print(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		fmt.Fprintf(p.w, "%v\n", err)
		return
	}
	fmt.Fprintln(p.w, string(b))
}

type txnResponseJSON struct {
	Header    *pb.ResponseHeader `json:"header,omitempty"`
	Succeeded bool               `json:"succeeded,omitempty"`
	Responses []responseOpJSON   `json:"responses,omitempty"`
}

type responseOpJSON struct {
	Response responseOpResponseJSON `json:"Response"`
}

type responseOpResponseJSON struct {
	ResponseRange       *pb.RangeResponse       `json:"response_range,omitempty"`
	ResponsePut         *pb.PutResponse         `json:"response_put,omitempty"`
	ResponseDeleteRange *pb.DeleteRangeResponse `json:"response_delete_range,omitempty"`
	ResponseTxn         *txnResponseJSON        `json:"response_txn,omitempty"`
}

func txnResponseJSONFromProto(protoResponse *pb.TxnResponse) txnResponseJSON {
	r := txnResponseJSON{
		Header:    protoResponse.GetHeader(),
		Succeeded: protoResponse.GetSucceeded(),
	}
	for _, response := range protoResponse.GetResponses() {
		switch response := response.Response.(type) {
		case *pb.ResponseOp_ResponseRange:
			r.Responses = append(r.Responses, responseOpJSON{responseOpResponseJSON{ResponseRange: response.ResponseRange}})
		case *pb.ResponseOp_ResponsePut:
			r.Responses = append(r.Responses, responseOpJSON{responseOpResponseJSON{ResponsePut: response.ResponsePut}})
		case *pb.ResponseOp_ResponseDeleteRange:
			r.Responses = append(r.Responses, responseOpJSON{responseOpResponseJSON{ResponseDeleteRange: response.ResponseDeleteRange}})
		case *pb.ResponseOp_ResponseTxn:
			responseTxn := txnResponseJSONFromProto(response.ResponseTxn)
			r.Responses = append(r.Responses, responseOpJSON{responseOpResponseJSON{ResponseTxn: &responseTxn}})
		default:
			r.Responses = append(r.Responses, responseOpJSON{responseOpResponseJSON{}})
		}
	}
	return r
}

// printJSON prints member responses, with hexadecimal ids under --hex.
func (p *jsonPrinter) printJSON(v any) {
	if !p.isHex {
		p.print(v)
		return
	}
	var data any
	switch r := v.(type) {
	case *clientv3.MemberAddResponse:
		data = &struct {
			Header  *hexResponseHeader `json:"header"`
			Member  *hexMember         `json:"member"`
			Members []*hexMember       `json:"members"`
		}{
			Header:  (*hexResponseHeader)(r.Header),
			Member:  (*hexMember)(r.Member),
			Members: toHexMembers(r.Members),
		}
	case *clientv3.MemberRemoveResponse:
		data = &struct {
			Header  *hexResponseHeader `json:"header"`
			Members []*hexMember       `json:"members"`
		}{
			Header:  (*hexResponseHeader)(r.Header),
			Members: toHexMembers(r.Members),
		}
	case *clientv3.MemberPromoteResponse:
		data = &struct {
			Header  *hexResponseHeader `json:"header"`
			Members []*hexMember       `json:"members"`
		}{
			Header:  (*hexResponseHeader)(r.Header),
			Members: toHexMembers(r.Members),
		}
	case *clientv3.MemberListResponse:
		data = &struct {
			Header  *hexResponseHeader `json:"header"`
			Members []*hexMember       `json:"members"`
		}{
			Header:  (*hexResponseHeader)(r.Header),
			Members: toHexMembers(r.Members),
		}
	default:
		data = v
	}
	p.print(data)
}

func toHexMembers(members []*pb.Member) []*hexMember {
	hexMembers := make([]*hexMember, len(members))
	for i, member := range members {
		hexMembers[i] = (*hexMember)(member)
	}
	return hexMembers
}
