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
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	v3 "go.etcd.io/etcd/client/v3"
)

// tablePrinter prints etcdctl's tables; the commands it does not print are refused before
// they run (unsupportedFormat), so its methods for them are never called.
type tablePrinter struct{ w io.Writer }

func (tp *tablePrinter) render(hdr []string, rows [][]string) {
	cfgBuilder := tablewriter.NewConfigBuilder().WithRowAlignment(tw.AlignRight)
	table := tablewriter.NewTable(tp.w, tablewriter.WithConfig(cfgBuilder.Build()))
	table.Header(hdr)
	for _, row := range rows {
		_ = table.Append(row)
	}
	_ = table.Render()
}

func (tp *tablePrinter) MemberList(r *v3.MemberListResponse) { tp.render(makeMemberListTable(r)) }
func (tp *tablePrinter) EndpointHealth(r []epHealth)         { tp.render(makeEndpointHealthTable(r)) }
func (tp *tablePrinter) EndpointStatus(r []epStatus)         { tp.render(makeEndpointStatusTable(r)) }
func (tp *tablePrinter) EndpointHashKV(r []epHashKV)         { tp.render(makeEndpointHashKVTable(r)) }

func (tp *tablePrinter) Del(*v3.DeleteResponse)                            {}
func (tp *tablePrinter) Get(*v3.GetResponse)                               {}
func (tp *tablePrinter) Put(*v3.PutResponse)                               {}
func (tp *tablePrinter) Txn(*v3.TxnResponse)                               {}
func (tp *tablePrinter) Watch(*v3.WatchResponse)                           {}
func (tp *tablePrinter) Grant(*v3.LeaseGrantResponse)                      {}
func (tp *tablePrinter) Revoke(v3.LeaseID, *v3.LeaseRevokeResponse)        {}
func (tp *tablePrinter) KeepAlive(*v3.LeaseKeepAliveResponse)              {}
func (tp *tablePrinter) TimeToLive(*v3.LeaseTimeToLiveResponse, bool)      {}
func (tp *tablePrinter) Leases(*v3.LeaseLeasesResponse)                    {}
func (tp *tablePrinter) MemberAdd(*v3.MemberAddResponse)                   {}
func (tp *tablePrinter) MemberRemove(uint64, *v3.MemberRemoveResponse)     {}
func (tp *tablePrinter) MemberPromote(uint64, *v3.MemberPromoteResponse)   {}
func (tp *tablePrinter) MoveLeader(uint64, uint64, *v3.MoveLeaderResponse) {}
func (tp *tablePrinter) Alarm(*v3.AlarmResponse)                           {}
