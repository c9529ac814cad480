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
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/client/pkg/v3/types"
	v3 "go.etcd.io/etcd/client/v3"
)

type simplePrinter struct {
	isHex     bool
	valueOnly bool
	w, errW   io.Writer
}

func (s *simplePrinter) Del(resp *v3.DeleteResponse) {
	r := (*pb.DeleteRangeResponse)(resp)
	fmt.Fprintln(s.w, r.GetDeleted())
	for _, kv := range r.GetPrevKvs() {
		printKV(s.w, s.isHex, s.valueOnly, kv)
	}
}

func (s *simplePrinter) Get(resp *v3.GetResponse) {
	r := (*pb.RangeResponse)(resp)
	for _, kv := range r.GetKvs() {
		printKV(s.w, s.isHex, s.valueOnly, kv)
	}
}

func (s *simplePrinter) Put(r *v3.PutResponse) {
	resp := (*pb.PutResponse)(r)
	fmt.Fprintln(s.w, "OK")
	if resp.GetPrevKv() != nil {
		printKV(s.w, s.isHex, s.valueOnly, resp.GetPrevKv())
	}
}

func (s *simplePrinter) Txn(resp *v3.TxnResponse) {
	r := (*pb.TxnResponse)(resp)
	if r.GetSucceeded() {
		fmt.Fprintln(s.w, "SUCCESS")
	} else {
		fmt.Fprintln(s.w, "FAILURE")
	}

	for _, opResp := range r.GetResponses() {
		fmt.Fprintln(s.w, "")
		switch v := opResp.GetResponse().(type) {
		case *pb.ResponseOp_ResponseDeleteRange:
			s.Del((*v3.DeleteResponse)(v.ResponseDeleteRange))
		case *pb.ResponseOp_ResponsePut:
			s.Put((*v3.PutResponse)(v.ResponsePut))
		case *pb.ResponseOp_ResponseRange:
			s.Get((*v3.GetResponse)(v.ResponseRange))
		default:
			fmt.Fprintf(s.w, "unexpected response %+v\n", opResp)
		}
	}
}

func (s *simplePrinter) Watch(resp *v3.WatchResponse) {
	for _, event := range resp.Events {
		fmt.Fprintln(s.w, event.Type)
		if event.PrevKv != nil {
			printKV(s.w, s.isHex, s.valueOnly, event.PrevKv)
		}
		printKV(s.w, s.isHex, s.valueOnly, event.Kv)
	}
}

func (s *simplePrinter) Grant(resp *v3.LeaseGrantResponse) {
	fmt.Fprintf(s.w, "lease %016x granted with TTL(%ds)\n", resp.ID, resp.TTL)
}

func (s *simplePrinter) Revoke(id v3.LeaseID, r *v3.LeaseRevokeResponse) {
	fmt.Fprintf(s.w, "lease %016x revoked\n", id)
}

func (s *simplePrinter) KeepAlive(resp *v3.LeaseKeepAliveResponse) {
	fmt.Fprintf(s.w, "lease %016x keepalived with TTL(%d)\n", resp.ID, resp.TTL)
}

func (s *simplePrinter) TimeToLive(resp *v3.LeaseTimeToLiveResponse, keys bool) {
	if resp.GrantedTTL == 0 && resp.TTL == -1 {
		fmt.Fprintf(s.w, "lease %016x already expired\n", resp.ID)
		return
	}

	txt := fmt.Sprintf("lease %016x granted with TTL(%ds), remaining(%ds)", resp.ID, resp.GrantedTTL, resp.TTL)
	if keys {
		ks := make([]string, len(resp.Keys))
		for i := range resp.Keys {
			ks[i] = string(resp.Keys[i])
		}
		txt += fmt.Sprintf(", attached keys(%v)", ks)
	}
	fmt.Fprintln(s.w, txt)
}

func (s *simplePrinter) Leases(resp *v3.LeaseLeasesResponse) {
	fmt.Fprintf(s.w, "found %d leases\n", len(resp.Leases))
	for _, item := range resp.Leases {
		fmt.Fprintf(s.w, "%016x\n", item.ID)
	}
}

func (s *simplePrinter) Alarm(resp *v3.AlarmResponse) {
	r := (*pb.AlarmResponse)(resp)
	for _, e := range r.GetAlarms() {
		fmt.Fprintf(s.w, "%+v\n", e)
	}
}

func (s *simplePrinter) MemberAdd(r *v3.MemberAddResponse) {
	resp := (*pb.MemberAddResponse)(r)
	asLearner := " "
	if resp.GetMember().GetIsLearner() {
		asLearner = " as learner "
	}
	fmt.Fprintf(s.w, "Member %16x added%sto cluster %16x\n", resp.GetMember().GetID(), asLearner, resp.GetHeader().GetClusterId())
}

func (s *simplePrinter) MemberRemove(id uint64, r *v3.MemberRemoveResponse) {
	fmt.Fprintf(s.w, "Member %16x removed from cluster %16x\n", id, (*pb.MemberRemoveResponse)(r).GetHeader().GetClusterId())
}

func (s *simplePrinter) MemberPromote(id uint64, r *v3.MemberPromoteResponse) {
	fmt.Fprintf(s.w, "Member %16x promoted in cluster %16x\n", id, (*pb.MemberPromoteResponse)(r).GetHeader().GetClusterId())
}

func (s *simplePrinter) MemberList(resp *v3.MemberListResponse) {
	_, rows := makeMemberListTable(resp)
	for _, row := range rows {
		fmt.Fprintln(s.w, strings.Join(row, ", "))
	}
}

func (s *simplePrinter) EndpointHealth(hs []epHealth) {
	for _, h := range hs {
		if h.Error == "" {
			fmt.Fprintf(s.w, "%s is healthy: successfully committed proposal: took = %v\n", h.Ep, h.Took)
		} else {
			fmt.Fprintf(s.errW, "%s is unhealthy: failed to commit proposal: %v\n", h.Ep, h.Error)
		}
	}
}

func (s *simplePrinter) EndpointStatus(statusList []epStatus) {
	_, rows := makeEndpointStatusTable(statusList)
	for _, row := range rows {
		fmt.Fprintln(s.w, strings.Join(row, ", "))
	}
}

func (s *simplePrinter) EndpointHashKV(hashList []epHashKV) {
	_, rows := makeEndpointHashKVTable(hashList)
	for _, row := range rows {
		fmt.Fprintln(s.w, strings.Join(row, ", "))
	}
}

func (s *simplePrinter) MoveLeader(leader, target uint64, r *v3.MoveLeaderResponse) {
	fmt.Fprintf(s.w, "Leadership transferred from %s to %s\n", types.ID(leader), types.ID(target))
}

func printKV(w io.Writer, isHex bool, valueOnly bool, kv *mvccpb.KeyValue) {
	k, v := string(kv.GetKey()), string(kv.GetValue())
	if isHex {
		k = addHexPrefix(hex.EncodeToString(kv.GetKey()))
		v = addHexPrefix(hex.EncodeToString(kv.GetValue()))
	}
	if !valueOnly {
		fmt.Fprintln(w, k)
	}
	fmt.Fprintln(w, v)
}

func addHexPrefix(s string) string {
	ns := make([]byte, len(s)*2)
	for i := 0; i < len(s); i += 2 {
		ns[i*2] = '\\'
		ns[i*2+1] = 'x'
		ns[i*2+2] = s[i]
		ns[i*2+3] = s[i+1]
	}
	return string(ns)
}
