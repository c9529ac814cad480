package plugin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/etcd-monitor/etcd-monitor/grafana-app/internal/opsproxytest"
)

// BenchmarkPluginResourceOverhead is what the plugin backend adds to a resource call: the same
// GET of one key, as the same Grafana user, through the App's CallResource (Grafana's path into
// the plugin: httpadapter, the forward handler, its HTTP client) and straight to opsproxy with
// the service token and the identity headers the App would send. The two alternate call by call
// so that both see the same machine; each op is one call of each. It reports the p50 and p99 of
// each path and the added latency at both (plugin minus direct), in milliseconds. opsproxy limits
// each Grafana user to a burst of 100 requests (then 20/s), so every 20 ops are made by another
// user, the same on both paths.
func BenchmarkPluginResourceOverhead(b *testing.B) {
	env := opsproxytest.New(b)
	s := settings(env.URL, env.Service)
	a := newApp(s, newTestLogger())
	defer a.Dispose()
	const opsPerUser = 20
	userOf := func(i int) *backend.User {
		return &backend.User{Login: fmt.Sprintf("bench-%d", i/opsPerUser), Role: "Viewer"}
	}
	const path = "api/v1/clusters/c1/keys?key=/bench/key"

	if _, err := env.Etcd.Client(b).Put(context.Background(), "/bench/key", "a value of a few bytes"); err != nil {
		b.Fatalf("seed the key: %v", err)
	}

	viaPlugin := func(user *backend.User) time.Duration {
		req := &backend.CallResourceRequest{
			PluginContext: backend.PluginContext{PluginID: ID, User: user, AppInstanceSettings: &s},
			Path:          "api/v1/clusters/c1/keys",
			URL:           path,
			Method:        http.MethodGet,
			Headers:       map[string][]string{"Accept": {"application/json"}},
		}
		status := 0
		start := time.Now()
		err := a.CallResource(context.Background(), req, backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
			if r.Status != 0 {
				status = r.Status
			}
			return nil
		}))
		took := time.Since(start)
		if err != nil || status != http.StatusOK {
			b.Fatalf("through the plugin: %d %v", status, err)
		}
		return took
	}
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer client.CloseIdleConnections()
	direct := func(user *backend.User) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, env.URL+"/"+path, nil)
		req.Header.Set("Accept", "application/json")
		a.setIdentity(req, user.Login, user.Role)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatalf("direct: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("direct: %s", resp.Status)
		}
		return took
	}

	// Warm both paths' connections and opsproxy's caches.
	for i := range opsPerUser {
		viaPlugin(userOf(-1 - i))
		direct(userOf(-1 - i))
	}
	plugin := make([]time.Duration, 0, b.N)
	straight := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		user := userOf(i)
		if i%2 == 0 {
			plugin = append(plugin, viaPlugin(user))
			straight = append(straight, direct(user))
		} else {
			straight = append(straight, direct(user))
			plugin = append(plugin, viaPlugin(user))
		}
	}
	b.StopTimer()
	pp50, pp99 := percentiles(plugin)
	dp50, dp99 := percentiles(straight)
	b.ReportMetric(ms(pp50), "plugin-p50-ms")
	b.ReportMetric(ms(pp99), "plugin-p99-ms")
	b.ReportMetric(ms(dp50), "direct-p50-ms")
	b.ReportMetric(ms(dp99), "direct-p99-ms")
	b.ReportMetric(ms(pp50-dp50), "added-p50-ms")
	b.ReportMetric(ms(pp99-dp99), "added-p99-ms")
}

// percentiles answers the 50th and 99th percentiles of d (nearest rank).
func percentiles(d []time.Duration) (time.Duration, time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	rank := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return rank(0.50), rank(0.99)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
