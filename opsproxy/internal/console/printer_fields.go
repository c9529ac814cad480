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
	"fmt"
	"io"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	spb "go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/client/pkg/v3/types"
	v3 "go.etcd.io/etcd/client/v3"
)

// fieldsPrinter is etcdctl's; the commands it does not print (member add, remove and promote,
// move-leader) are refused before they run (unsupportedFormat), so its methods for them are
// never called.
type fieldsPrinter struct {
	isHex bool
	w     io.Writer
}

func (p *fieldsPrinter) kv(pfx string, kv *spb.KeyValue) {
	fmt.Fprintf(p.w, "\"%sKey\" : %q\n", pfx, string(kv.GetKey()))
	fmt.Fprintf(p.w, "\"%sCreateRevision\" : %d\n", pfx, kv.GetCreateRevision())
	fmt.Fprintf(p.w, "\"%sModRevision\" : %d\n", pfx, kv.GetModRevision())
	fmt.Fprintf(p.w, "\"%sVersion\" : %d\n", pfx, kv.GetVersion())
	fmt.Fprintf(p.w, "\"%sValue\" : %q\n", pfx, string(kv.GetValue()))
	if p.isHex {
		fmt.Fprintf(p.w, "\"%sLease\" : %016x\n", pfx, kv.GetLease())
	} else {
		fmt.Fprintf(p.w, "\"%sLease\" : %d\n", pfx, kv.GetLease())
	}
}

func (p *fieldsPrinter) hdr(h *pb.ResponseHeader) {
	if p.isHex {
		fmt.Fprintln(p.w, `"ClusterID" :`, types.ID(h.GetClusterId()))
		fmt.Fprintln(p.w, `"MemberID" :`, types.ID(h.GetMemberId()))
	} else {
		fmt.Fprintln(p.w, `"ClusterID" :`, h.GetClusterId())
		fmt.Fprintln(p.w, `"MemberID" :`, h.GetMemberId())
	}
	// Revision only makes sense for k/v responses. For other kinds of
	// responses, i.e. MemberList, usually the revision isn't populated
	// at all; so it would be better to hide this field in these cases.
	if h.GetRevision() > 0 {
		fmt.Fprintln(p.w, `"Revision" :`, h.GetRevision())
	}
	fmt.Fprintln(p.w, `"RaftTerm" :`, h.GetRaftTerm())
}

func (p *fieldsPrinter) Del(r *v3.DeleteResponse) {
	resp := (*pb.DeleteRangeResponse)(r)
	p.hdr(resp.GetHeader())
	fmt.Fprintln(p.w, `"Deleted" :`, resp.GetDeleted())
	for _, kv := range resp.GetPrevKvs() {
		p.kv("Prev", kv)
	}
}

func (p *fieldsPrinter) Get(r *v3.GetResponse) {
	resp := (*pb.RangeResponse)(r)
	p.hdr(resp.GetHeader())
	for _, kv := range resp.GetKvs() {
		p.kv("", kv)
	}
	fmt.Fprintln(p.w, `"More" :`, resp.GetMore())
	fmt.Fprintln(p.w, `"Count" :`, resp.GetCount())
}

func (p *fieldsPrinter) Put(r *v3.PutResponse) {
	resp := (*pb.PutResponse)(r)
	p.hdr(resp.GetHeader())
	if resp.GetPrevKv() != nil {
		p.kv("Prev", resp.GetPrevKv())
	}
}

func (p *fieldsPrinter) Txn(r *v3.TxnResponse) {
	resp := (*pb.TxnResponse)(r)
	p.hdr(resp.GetHeader())
	fmt.Fprintln(p.w, `"Succeeded" :`, resp.GetSucceeded())
	for _, opResp := range resp.GetResponses() {
		switch v := opResp.GetResponse().(type) {
		case *pb.ResponseOp_ResponseDeleteRange:
			p.Del((*v3.DeleteResponse)(v.ResponseDeleteRange))
		case *pb.ResponseOp_ResponsePut:
			p.Put((*v3.PutResponse)(v.ResponsePut))
		case *pb.ResponseOp_ResponseRange:
			p.Get((*v3.GetResponse)(v.ResponseRange))
		default:
			fmt.Fprintf(p.w, "\"Unknown\" : %q\n", fmt.Sprintf("%+v", v))
		}
	}
}

func (p *fieldsPrinter) Watch(resp *v3.WatchResponse) {
	if resp == nil {
		return
	}

	p.hdr(resp.Header)
	for _, ev := range resp.Events {
		fmt.Fprintln(p.w, `"Type" :`, ev.Type)
		if ev.PrevKv != nil {
			p.kv("Prev", ev.PrevKv)
		}
		p.kv("", ev.Kv)
	}
}

func (p *fieldsPrinter) Grant(r *v3.LeaseGrantResponse) {
	p.hdr(r.ResponseHeader)
	if p.isHex {
		fmt.Fprintf(p.w, "\"ID\" : %016x\n", r.ID)
	} else {
		fmt.Fprintln(p.w, `"ID" :`, r.ID)
	}
	fmt.Fprintln(p.w, `"TTL" :`, r.TTL)
}

func (p *fieldsPrinter) Revoke(id v3.LeaseID, r *v3.LeaseRevokeResponse) {
	p.hdr((*pb.LeaseRevokeResponse)(r).GetHeader())
}

func (p *fieldsPrinter) KeepAlive(r *v3.LeaseKeepAliveResponse) {
	p.hdr(r.ResponseHeader)
	if p.isHex {
		fmt.Fprintf(p.w, "\"ID\" : %016x\n", r.ID)
	} else {
		fmt.Fprintln(p.w, `"ID" :`, r.ID)
	}
	fmt.Fprintln(p.w, `"TTL" :`, r.TTL)
}

func (p *fieldsPrinter) TimeToLive(r *v3.LeaseTimeToLiveResponse, keys bool) {
	p.hdr(r.ResponseHeader)
	if p.isHex {
		fmt.Fprintf(p.w, "\"ID\" : %016x\n", r.ID)
	} else {
		fmt.Fprintln(p.w, `"ID" :`, r.ID)
	}
	fmt.Fprintln(p.w, `"TTL" :`, r.TTL)
	fmt.Fprintln(p.w, `"GrantedTTL" :`, r.GrantedTTL)
	for _, k := range r.Keys {
		fmt.Fprintf(p.w, "\"Key\" : %q\n", string(k))
	}
}

func (p *fieldsPrinter) Leases(r *v3.LeaseLeasesResponse) {
	p.hdr(r.ResponseHeader)
	for _, item := range r.Leases {
		if p.isHex {
			fmt.Fprintf(p.w, "\"ID\" : %016x\n", item.ID)
		} else {
			fmt.Fprintln(p.w, `"ID" :`, item.ID)
		}
	}
}

func (p *fieldsPrinter) MemberAdd(*v3.MemberAddResponse)                   {}
func (p *fieldsPrinter) MemberRemove(uint64, *v3.MemberRemoveResponse)     {}
func (p *fieldsPrinter) MemberPromote(uint64, *v3.MemberPromoteResponse)   {}
func (p *fieldsPrinter) MoveLeader(uint64, uint64, *v3.MoveLeaderResponse) {}

func (p *fieldsPrinter) MemberList(r *v3.MemberListResponse) {
	resp := (*pb.MemberListResponse)(r)
	p.hdr(resp.GetHeader())
	for _, m := range resp.GetMembers() {
		if p.isHex {
			fmt.Fprintln(p.w, `"ID" :`, types.ID(m.GetID()))
		} else {
			fmt.Fprintln(p.w, `"ID" :`, m.GetID())
		}
		fmt.Fprintf(p.w, "\"Name\" : %q\n", m.GetName())
		for _, u := range m.GetPeerURLs() {
			fmt.Fprintf(p.w, "\"PeerURL\" : %q\n", u)
		}
		for _, u := range m.GetClientURLs() {
			fmt.Fprintf(p.w, "\"ClientURL\" : %q\n", u)
		}
		fmt.Fprintln(p.w, `"IsLearner" :`, m.GetIsLearner())
		fmt.Fprintln(p.w)
	}
}

func (p *fieldsPrinter) EndpointHealth(hs []epHealth) {
	for _, h := range hs {
		fmt.Fprintf(p.w, "\"Endpoint\" : %q\n", h.Ep)
		fmt.Fprintln(p.w, `"Health" :`, h.Health)
		fmt.Fprintln(p.w, `"Took" :`, h.Took)
		fmt.Fprintln(p.w, `"Error" :`, h.Error)
		fmt.Fprintln(p.w)
	}
}

func (p *fieldsPrinter) EndpointStatus(eps []epStatus) {
	for _, ep := range eps {
		resp := (*pb.StatusResponse)(ep.Resp)
		p.hdr(resp.GetHeader())
		fmt.Fprintf(p.w, "\"Version\" : %q\n", resp.GetVersion())
		fmt.Fprintf(p.w, "\"StorageVersion\" : %q\n", resp.GetStorageVersion())
		fmt.Fprintln(p.w, `"DBSize" :`, resp.GetDbSize())
		fmt.Fprintln(p.w, `"DBSizeInUse" :`, resp.GetDbSizeInUse())
		fmt.Fprintln(p.w, `"DBSizeQuota" :`, resp.GetDbSizeQuota())
		fmt.Fprintln(p.w, `"Leader" :`, resp.GetLeader())
		fmt.Fprintln(p.w, `"IsLearner" :`, resp.GetIsLearner())
		fmt.Fprintln(p.w, `"RaftIndex" :`, resp.GetRaftIndex())
		fmt.Fprintln(p.w, `"RaftAppliedIndex" :`, resp.GetRaftAppliedIndex())
		fmt.Fprintln(p.w, `"Errors" :`, resp.GetErrors())
		fmt.Fprintf(p.w, "\"Endpoint\" : %q\n", ep.Ep)
		fmt.Fprintf(p.w, "\"DowngradeTargetVersion\" : %q\n", resp.GetDowngradeInfo().GetTargetVersion())
		fmt.Fprintln(p.w, `"DowngradeEnabled" :`, resp.GetDowngradeInfo().GetEnabled())
		fmt.Fprintln(p.w)
	}
}

func (p *fieldsPrinter) EndpointHashKV(hs []epHashKV) {
	for _, h := range hs {
		resp := (*pb.HashKVResponse)(h.Resp)
		p.hdr(resp.GetHeader())
		fmt.Fprintf(p.w, "\"Endpoint\" : %q\n", h.Ep)
		fmt.Fprintln(p.w, `"Hash" :`, resp.GetHash())
		fmt.Fprintln(p.w, `"HashRevision" :`, resp.GetHashRevision())
		fmt.Fprintln(p.w)
	}
}

func (p *fieldsPrinter) Alarm(r *v3.AlarmResponse) {
	resp := (*pb.AlarmResponse)(r)
	p.hdr(resp.GetHeader())
	for _, a := range resp.GetAlarms() {
		if p.isHex {
			fmt.Fprintln(p.w, `"MemberID" :`, types.ID(a.GetMemberID()))
		} else {
			fmt.Fprintln(p.w, `"MemberID" :`, a.GetMemberID())
		}
		fmt.Fprintln(p.w, `"AlarmType" :`, a.GetAlarm())
		fmt.Fprintln(p.w)
	}
}
