package main

import (
	"bytes"
	"context"
	"encoding/base64"
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
// health check, a resource call as a signed-in user, and a watch over Grafana Live's streaming
// calls (SubscribeStream, then RunStream) that sees that user's put arrive.
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
			"stream":      &grpcplugin.StreamGRPCPlugin{},
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
	watch := watchOverGRPC(ctx, t, pluginv2.NewStreamClient(conn), pctx)

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
	put := <-watch
	if !strings.Contains(put, `"/host/test"`) || !strings.Contains(put, "over gRPC") {
		t.Errorf("the watch over gRPC sent %s, want the put of /host/test", put)
	}
	recs := env.Audit(t, "operation=keys.put&user=carol")
	if len(recs) == 0 {
		t.Errorf("opsproxy recorded no put by carol: %+v", env.Audit(t, "operation=keys.put"))
	}
	client.Kill()
	if strings.Contains(logs.String(), env.Service) || strings.Contains(body.String(), env.Service) || strings.Contains(health.Message, env.Service) || strings.Contains(put, env.Service) {
		t.Error("the service token appears in the plugin's log or answers")
	}
}

// watchOverGRPC subscribes to a watch of /host/ on carol's channel and runs its stream as
// Grafana Live does; once the stream to opsproxy is open it answers a channel that gets the
// first put event's message.
func watchOverGRPC(ctx context.Context, t *testing.T, client pluginv2.StreamClient, pctx func(login, role string) *pluginv2.PluginContext) <-chan string {
	t.Helper()
	// From revision 1: "open" says the stream to opsproxy is up, not that opsproxy's etcd watch
	// is registered yet, so a watch from now could miss a put made right after it.
	spec, _ := json.Marshal(map[string]any{"cluster": "c1", "key": "/host/", "prefix": true, "start_revision": 1})
	path := "watch/" + base64.RawURLEncoding.EncodeToString([]byte("carol")) + "/tab1"
	sub, err := client.SubscribeStream(ctx, &pluginv2.SubscribeStreamRequest{PluginContext: pctx("carol", "Editor"), Path: path, Data: spec})
	if err != nil || sub.Status != pluginv2.SubscribeStreamResponse_OK {
		t.Fatalf("SubscribeStream: %v %v", sub, err)
	}
	if r, err := client.SubscribeStream(ctx, &pluginv2.SubscribeStreamRequest{PluginContext: pctx("mallory", "Admin"), Path: path, Data: spec}); err != nil || r.Status != pluginv2.SubscribeStreamResponse_PERMISSION_DENIED {
		t.Errorf("SubscribeStream to carol's channel as mallory: %v %v, want PERMISSION_DENIED", r, err)
	}
	stream, err := client.RunStream(ctx, &pluginv2.RunStreamRequest{PluginContext: pctx("carol", "Editor"), Path: path, Data: spec})
	if err != nil {
		t.Fatalf("RunStream: %v", err)
	}
	first, err := stream.Recv()
	if err != nil || !strings.Contains(string(first.Data), `"open"`) {
		t.Fatalf("RunStream's first message: %v %v, want the stream open", first, err)
	}
	put := make(chan string, 1)
	go func() {
		defer close(put)
		for {
			msg, err := stream.Recv()
			if err != nil {
				return
			}
			if strings.Contains(string(msg.Data), `"event":"put"`) {
				put <- string(msg.Data)
				return
			}
		}
	}()
	return put
}
