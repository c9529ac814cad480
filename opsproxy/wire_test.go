package opsproxy

import (
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/auditquery"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/cluster"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/conns"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/keys"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/maintenance"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/tokens"
)

// The answer bodies the API tests decode, as the areas define them.
type (
	member        = cluster.Member
	alarm         = cluster.Alarm
	clusterInfo   = cluster.ClusterInfo
	endpointState = conns.EndpointState
	header        = apihttp.Header
	errorBody     = apihttp.ErrorBody
	kv            = keys.KV
	getResponse   = keys.GetResponse
	watchEvent    = keys.WatchEvent
	snapshotInfo  = maintenance.SnapshotInfo
	defragStep    = maintenance.DefragStep
	createdToken  = tokens.CreatedToken
)

const (
	RequestIDHeader       = apihttp.RequestIDHeader
	ClientRequestIDHeader = apihttp.ClientRequestIDHeader
	snapshotMetaDir       = maintenance.SnapshotMetaDir
)

var csvHeader = auditquery.CSVHeader
