package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
	"github.com/etcd-monitor/etcd-monitor/grafana-app/pkg/plugin"
	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/logtest"
)

func TestMain(m *testing.M) {
	etcdtest.RunMemberIfRequested()
	os.Exit(m.Run())
}

// TestPluginBinaryOverGRPC builds the backend and starts it as Grafana does: a child process
// that answers hashicorp/go-plugin's handshake with Grafana's magic cookie and serves the
// plugin protocol (v2) over gRPC. It then makes the calls Grafana makes for the app: the
// health check and a resource call, as a signed-in user.
func TestPluginBinaryOverGRPC(t *testing.T) {
	env := opsproxytest.New(t)

	bin := filepath.Join(t.TempDir(), "gpx_etcd_"+runtime.GOOS+"_"+runtime.GOARCH)
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	logs := &logtest.Buffer{}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
		}},
		Cmd:              exec.Command(bin),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: logs, Level: hclog.Trace}),
		StartTimeout:     time.Minute,
	})
	defer client.Kill()
	proto, err := client.Client()
	if err != nil {
		t.Fatalf("start the plugin: %v\n%s", err, logs)
	}
	conn := proto.(*goplugin.GRPCClient).Conn

	js, _ := json.Marshal(map[string]any{"opsproxyUrl": env.URL})
	pctx := func(login, role string) *pluginv2.PluginContext {
		return &pluginv2.PluginContext{
			OrgId:    1,
			PluginId: plugin.ID,
			User:     &pluginv2.User{Login: login, Name: login, Role: role},
			AppInstanceSettings: &pluginv2.AppInstanceSettings{
				JsonData:                js,
				DecryptedSecureJsonData: map[string]string{"serviceToken": env.Service},
				LastUpdatedMS:           1,
			},
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	health, err := pluginv2.NewDiagnosticsClient(conn).CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: pctx("admin", "Admin")})
	if err != nil {
		t.Fatalf("CheckHealth: %v", err)
	}
	if health.Status != pluginv2.CheckHealthResponse_OK || !strings.Contains(health.Message, "Connected to opsproxy") {
		t.Errorf("CheckHealth: %v %q", health.Status, health.Message)
	}

	stream, err := pluginv2.NewResourceClient(conn).CallResource(ctx, &pluginv2.CallResourceRequest{
		PluginContext: pctx("carol", "Editor"),
		Path:          "api/v1/clusters/c1/keys",
		Url:           "api/v1/clusters/c1/keys",
		Method:        http.MethodPut,
		Body:          []byte(`{"key":"/host/test","value":"over gRPC"}`),
		Headers:       map[string]*pluginv2.StringList{"Content-Type": {Values: []string{"application/json"}}},
	})
	if err != nil {
		t.Fatalf("CallResource: %v", err)
	}
	var status int32
	var body bytes.Buffer
	for {
		msg, err := stream.Recv()
		if err != nil {
			break
		}
		if msg.Code != 0 {
			status = msg.Code
		}
		body.Write(msg.Body)
	}
	if status != http.StatusOK {
		t.Fatalf("PUT through the plugin: %d %s", status, body.String())
	}
	recs := env.Audit(t, "operation=keys.put&user=carol")
	if len(recs) == 0 {
		t.Errorf("opsproxy recorded no put by carol: %+v", env.Audit(t, "operation=keys.put"))
	}
	client.Kill()
	if strings.Contains(logs.String(), env.Service) || strings.Contains(body.String(), env.Service) || strings.Contains(health.Message, env.Service) {
		t.Error("the service token appears in the plugin's log or answers")
	}
}
