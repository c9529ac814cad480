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
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	v3 "go.etcd.io/etcd/client/v3"
)

// printer prints command results as one of etcdctl's output formats.
type printer interface {
	Del(*v3.DeleteResponse)
	Get(*v3.GetResponse)
	Put(*v3.PutResponse)
	Txn(*v3.TxnResponse)
	Watch(*v3.WatchResponse)

	Grant(r *v3.LeaseGrantResponse)
	Revoke(id v3.LeaseID, r *v3.LeaseRevokeResponse)
	KeepAlive(r *v3.LeaseKeepAliveResponse)
	TimeToLive(r *v3.LeaseTimeToLiveResponse, keys bool)
	Leases(r *v3.LeaseLeasesResponse)

	MemberAdd(*v3.MemberAddResponse)
	MemberRemove(id uint64, r *v3.MemberRemoveResponse)
	MemberPromote(id uint64, r *v3.MemberPromoteResponse)
	MemberList(*v3.MemberListResponse)

	EndpointHealth([]epHealth)
	EndpointStatus([]epStatus)
	EndpointHashKV([]epHashKV)
	MoveLeader(leader, target uint64, r *v3.MoveLeaderResponse)

	Alarm(*v3.AlarmResponse)
}

// newPrinter returns the printer of an output format writing to out (and, where etcdctl
// writes to stderr, errOut); nil for an unknown format.
func newPrinter(format string, isHex bool, out, errOut io.Writer) printer {
	switch format {
	case "simple":
		return &simplePrinter{isHex: isHex, w: out, errW: errOut}
	case "fields":
		return &fieldsPrinter{isHex: isHex, w: out}
	case "json":
		return newJSONPrinter(isHex, out)
	case "table":
		return &tablePrinter{w: out}
	}
	return nil
}

// unsupportedFormat reports the formats etcdctl's printers do not implement for a command
// (printerUnsupported): etcdctl ran the command and then failed with "<format> not supported
// as output format"; the console refuses before running it.
func unsupportedFormat(format, path string) bool {
	switch format {
	case "table":
		switch path {
		case "member list", "endpoint health", "endpoint status", "endpoint hashkv", "snapshot status":
			return false
		}
		return true
	case "fields":
		switch path {
		case "member add", "member remove", "member promote", "move-leader":
			return true
		}
	}
	return false
}

func makeMemberListTable(r *v3.MemberListResponse) (hdr []string, rows [][]string) {
	hdr = []string{"ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"}
	if r == nil {
		return hdr, rows
	}
	for _, m := range r.Members {
		status := "started"
		if len(m.Name) == 0 {
			status = "unstarted"
		}
		isLearner := "false"
		if m.IsLearner {
			isLearner = "true"
		}
		rows = append(rows, []string{
			fmt.Sprintf("%x", m.ID),
			status,
			m.Name,
			strings.Join(m.PeerURLs, ","),
			strings.Join(m.ClientURLs, ","),
			isLearner,
		})
	}
	return hdr, rows
}

func makeEndpointHealthTable(healthList []epHealth) (hdr []string, rows [][]string) {
	hdr = []string{"endpoint", "health", "took", "error"}
	for _, h := range healthList {
		rows = append(rows, []string{
			h.Ep,
			fmt.Sprintf("%v", h.Health),
			h.Took,
			h.Error,
		})
	}
	return hdr, rows
}

func makeEndpointStatusTable(statusList []epStatus) (hdr []string, rows [][]string) {
	hdr = []string{
		"endpoint", "ID", "version", "storage version", "db size", "in use", "percentage not in use", "quota", "is leader", "is learner", "raft term",
		"raft index", "raft applied index", "errors", "downgrade target version", "downgrade enabled",
	}
	for _, status := range statusList {
		resp := (*pb.StatusResponse)(status.Resp)
		rows = append(rows, []string{
			status.Ep,
			fmt.Sprintf("%x", resp.GetHeader().GetMemberId()),
			resp.GetVersion(),
			resp.GetStorageVersion(),
			humanize.Bytes(uint64(resp.GetDbSize())),
			humanize.Bytes(uint64(resp.GetDbSizeInUse())),
			fmt.Sprintf("%d%%", notInUsePercent(resp)),
			humanize.Bytes(uint64(resp.GetDbSizeQuota())),
			fmt.Sprint(resp.GetLeader() == resp.GetHeader().GetMemberId()),
			fmt.Sprint(resp.GetIsLearner()),
			fmt.Sprint(resp.GetRaftTerm()),
			fmt.Sprint(resp.GetRaftIndex()),
			fmt.Sprint(resp.GetRaftAppliedIndex()),
			fmt.Sprint(strings.Join(resp.GetErrors(), ", ")),
			resp.GetDowngradeInfo().GetTargetVersion(),
			strconv.FormatBool(resp.GetDowngradeInfo().GetEnabled()),
		})
	}
	return hdr, rows
}

// notInUsePercent is etcdctl's "percentage not in use"; etcdctl divides by the db size without
// checking it, which a member never reports as 0, but a panic must not reach the server.
func notInUsePercent(resp *pb.StatusResponse) int {
	if resp.GetDbSize() == 0 {
		return 0
	}
	return int(float64(100 - (resp.GetDbSizeInUse() * 100 / resp.GetDbSize())))
}

func makeEndpointHashKVTable(hashList []epHashKV) (hdr []string, rows [][]string) {
	hdr = []string{"endpoint", "hash", "hash_revision"}
	for _, h := range hashList {
		resp := (*pb.HashKVResponse)(h.Resp)
		rows = append(rows, []string{
			h.Ep,
			fmt.Sprint(resp.GetHash()),
			fmt.Sprint(resp.GetHashRevision()),
		})
	}
	return hdr, rows
}
