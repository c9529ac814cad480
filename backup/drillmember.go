package backup

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// DrillMemberCommand is the hidden subcommand of etcd-monitor that runs a drill's throwaway
// member (etcd-monitor re-executes itself with it).
const DrillMemberCommand = "backup-drill-member"

// drillEnv carries the member's spec to the child process.
const drillEnv = "ETCD_MONITOR_DRILL_MEMBER"

// drillReady starts the line a child prints on stdout once etcd serves, followed by its client URL.
const drillReady = "ETCD_MONITOR_DRILL_READY "

// drillSpec is the throwaway member: a restored data directory, its member name and the peer URL
// it was restored with. It listens on loopback ports the kernel picks.
type drillSpec struct {
	Name    string `json:"name"`
	DataDir string `json:"data_dir"`
	PeerURL string `json:"peer_url"`
}

// RunDrillMemberIfRequested turns this process into a drill's throwaway member when a drill
// started it, and never returns in that case. Tests call it first thing in TestMain so that the
// test binary can stand in for etcd-monitor:
//
//	func TestMain(m *testing.M) {
//		backup.RunDrillMemberIfRequested()
//		os.Exit(m.Run())
//	}
func RunDrillMemberIfRequested() {
	if os.Getenv(drillEnv) != "" {
		os.Exit(RunDrillMember())
	}
}

// RunDrillMember runs the throwaway member described by the environment until its stdin closes
// (the drill is over, or the parent died), and returns the exit code. It is the action of the
// hidden subcommand DrillMemberCommand.
func RunDrillMember() int {
	var s drillSpec
	if err := json.Unmarshal([]byte(os.Getenv(drillEnv)), &s); err != nil {
		fmt.Fprintf(os.Stderr, "drill member: %s: %v\n", drillEnv, err)
		return 2
	}
	e, err := startDrillMember(s)
	if err != nil {
		fmt.Fprintf(os.Stderr, "drill member: %v\n", err)
		return 1
	}
	fmt.Printf("%shttp://%s\n", drillReady, e.Clients[0].Addr())
	stdin := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(stdin) }()
	code := 0
	select {
	case <-stdin:
	case err := <-e.Err():
		fmt.Fprintf(os.Stderr, "drill member: etcd failed: %v\n", err)
		code = 1
	}
	e.Close()
	return code
}

func startDrillMember(s drillSpec) (*embed.Etcd, error) {
	pu, err := url.Parse(s.PeerURL)
	if err != nil {
		return nil, fmt.Errorf("peer URL: %w", err)
	}
	any0, _ := url.Parse("http://127.0.0.1:0")
	cfg := embed.NewConfig()
	cfg.Name = s.Name
	cfg.Dir = s.DataDir
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*any0}, []url.URL{*any0}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*any0}, []url.URL{*pu}
	cfg.InitialCluster = s.Name + "=" + s.PeerURL
	cfg.EnableGRPCGateway = false
	cfg.ListenMetricsUrls = nil
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.New(zapcore.NewCore(enc, zapcore.AddSync(os.Stderr), zap.WarnLevel)))
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.Server.ReadyNotify():
		return e, nil
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcd failed while starting: %w", err)
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("etcd not ready after 60s")
	}
}
