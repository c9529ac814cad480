package embedetcd

import (
	"fmt"
	"net/url"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// memberSpec is everything needed to start one member; it crosses process boundaries as JSON.
type memberSpec struct {
	Name              string
	Dir               string
	ClientURL         string
	PeerURL           string
	InitialCluster    string
	Token             string
	TLS               *TLSFiles
	NoFsync           bool
	QuotaBackendBytes int64
}

// embedConfig turns a spec into etcd's embed configuration. Heartbeat and election timeouts are
// shorter than etcd's defaults so that fault tests settle quickly, yet long enough not to flap
// on a loaded 2-core machine.
func (s memberSpec) embedConfig(lg *zap.Logger) (*embed.Config, error) {
	cfg := embed.NewConfig()
	cfg.Name = s.Name
	cfg.Dir = s.Dir
	cu, err := url.Parse(s.ClientURL)
	if err != nil {
		return nil, fmt.Errorf("client URL: %w", err)
	}
	pu, err := url.Parse(s.PeerURL)
	if err != nil {
		return nil, fmt.Errorf("peer URL: %w", err)
	}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*cu}, []url.URL{*cu}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = s.InitialCluster
	cfg.InitialClusterToken = s.Token
	cfg.ClusterState = embed.ClusterStateFlagNew
	cfg.TickMs = 50
	cfg.ElectionMs = 500
	cfg.UnsafeNoFsync = s.NoFsync
	// The JSON gateway dials its own member and keeps that connection open, which makes every
	// shutdown wait out the request timeout; clients here speak gRPC.
	cfg.EnableGRPCGateway = false
	cfg.QuotaBackendBytes = s.QuotaBackendBytes
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(lg)
	if s.TLS != nil {
		cfg.ClientTLSInfo = transport.TLSInfo{
			CertFile:       s.TLS.ServerCertFile,
			KeyFile:        s.TLS.ServerKeyFile,
			TrustedCAFile:  s.TLS.CAFile,
			ClientCertAuth: true,
		}
	}
	return cfg, nil
}

// embedded is a member running in this process.
type embedded struct{ e *embed.Etcd }

func startEmbedded(s memberSpec, lg *zap.Logger, timeout time.Duration) (runner, error) {
	cfg, err := s.embedConfig(lg)
	if err != nil {
		return nil, err
	}
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return &embedded{e: e}, nil
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcd failed while starting: %w", err)
	case <-time.After(timeout):
		e.Close()
		return nil, fmt.Errorf("not ready after %s", timeout)
	}
}

func (r *embedded) stop() error {
	r.e.Close()
	return nil
}

// kill stops raft without a leadership handover, then closes the listeners.
func (r *embedded) kill() {
	r.e.Server.HardStop()
	r.e.Close()
}
