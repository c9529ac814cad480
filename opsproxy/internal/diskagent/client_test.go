package diskagent_test

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/etcd-monitor/etcd-monitor/diskprobe"
	"github.com/etcd-monitor/etcd-monitor/internal/clusterconfig"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskagent"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/diskagent/agenttest"
)

// small is a probe of 100 syncs.
var small = diskprobe.ProbeRequest{Profile: "agent", BlockSize: 2300, Size: 230000}

func client(t *testing.T, a *agenttest.Agent) *diskagent.Client {
	t.Helper()
	c, err := diskagent.New(a.Entry)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// The client reaches a real agent over TLS with basic auth, gets the probe's result, then the
// same as the agent's last.
func TestClientProbesARealAgentOverTLSWithBasicAuth(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{TLS: true, Username: "probe", Password: "pw-1"})
	c := client(t, a)
	ctx := context.Background()
	if err := c.Healthy(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Last(ctx); !errors.Is(err, diskagent.ErrNoResult) {
		t.Fatalf("last before any probe: %v, want ErrNoResult", err)
	}
	res, err := c.Probe(ctx, small)
	if err != nil {
		t.Fatal(err)
	}
	if res.Syncs != 100 || res.Sync.Percentiles["99"] <= 0 || (res.Verdict != "pass" && res.Verdict != "fail") || res.Job.Profile != "custom" || res.Job.BlockSize != 2300 {
		t.Fatalf("result %+v", res)
	}
	last, err := c.Last(ctx)
	if err != nil || !last.StartedAt.Equal(res.StartedAt) {
		t.Fatalf("last = %v, %v; want the probe's result", last.StartedAt, err)
	}
	if len(a.Entries(t)) != 0 {
		t.Fatalf("the probe left %v", a.Entries(t))
	}
}

// A wrong password, a missing password file, an agent that is down and an agent that does
// not answer in time are errors naming the member and the URL, never the password.
func TestClientErrorsNameTheMemberAndURLButNeverThePassword(t *testing.T) {
	const secret = "the-right-s3cret"
	a := agenttest.Start(t, agenttest.Options{Member: "infra3", Username: "probe", Password: secret})

	wrong := a.Entry
	wrong.PasswordFile = t.TempDir() + "/wrong"
	if err := os.WriteFile(wrong.PasswordFile, []byte("not-"+secret), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := a.Entry
	missing.PasswordFile = t.TempDir() + "/missing"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := a.Entry
	down.URL = "http://" + l.Addr().String()
	l.Close()
	// A listener that accepts and never answers: the call's timeout ends it.
	mute, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mute.Close() })
	slow := a.Entry
	slow.URL, slow.Timeout = "http://"+mute.Addr().String(), model.Duration(300*time.Millisecond)

	for _, c := range []struct {
		name  string
		entry clusterconfig.DiskAgent
		want  string
		is    error
	}{
		{"wrong password", wrong, "the agent refused opsproxy's credentials (401 Unauthorized)", diskagent.ErrUnauthorized},
		{"missing password file", missing, "password_file: " + missing.PasswordFile + ": no such file or directory", os.ErrNotExist},
		{"agent down", down, "connection refused", nil},
		{"agent mute", slow, "no answer within the agent's timeout", context.DeadlineExceeded},
	} {
		c0, err := diskagent.New(c.entry)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c0.Probe(context.Background(), small)
		c0.Close()
		prefix := "disk agent of member infra3 at " + c.entry.URL + ": probe: "
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %q, want %q … %q", c.name, err, prefix, c.want)
		case strings.Contains(err.Error(), secret):
			t.Errorf("%s: the error shows the password: %q", c.name, err)
		case c.is != nil && !errors.Is(err, c.is):
			t.Errorf("%s: %v is not %v", c.name, err, c.is)
		}
	}
	if len(a.Entries(t)) != 0 {
		t.Fatalf("refused probes left %v", a.Entries(t))
	}
}

// The agent's refusals come back as ErrBusy (409), ErrOverBudget (429) and ErrRejected (400)
// with the agent's own message.
func TestClientReportsTheAgentsRefusals(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{})
	c := client(t, a)
	if _, err := c.Probe(context.Background(), diskprobe.ProbeRequest{Profile: "nope"}); !errors.Is(err, diskagent.ErrRejected) ||
		!strings.Contains(err.Error(), "(400 Bad Request): ") || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown profile: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	held := make(chan error, 1)
	go func() {
		_, err := c.Probe(ctx, diskprobe.ProbeRequest{Profile: "agent", BlockSize: 2300, Size: 230000, Duration: "1m"})
		held <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for len(a.Entries(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var agentErr *diskagent.Error
	if _, err := c.Probe(context.Background(), small); !errors.Is(err, diskagent.ErrBusy) || !errors.As(err, &agentErr) || agentErr.Status != 409 {
		t.Errorf("while a probe runs: %v, want ErrBusy", err)
	}
	cancel()
	if err := <-held; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled probe: %v", err)
	}
	// The cancelled probe is gone with its directory.
	deadline = time.Now().Add(30 * time.Second)
	for len(a.Entries(t)) != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(a.Entries(t)); n != 0 {
		t.Fatalf("the cancelled probe left %v", a.Entries(t))
	}
	// Two small probes do not fit in a budget of 400,000 bytes an hour.
	b := client(t, agenttest.Start(t, agenttest.Options{MaxBytesPerHour: 400000}))
	if _, err := b.Probe(context.Background(), small); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Probe(context.Background(), small); !errors.Is(err, diskagent.ErrOverBudget) || !strings.Contains(err.Error(), "(429 Too Many Requests): ") {
		t.Errorf("over the budget: %v, want ErrOverBudget", err)
	}
}

// An agent that lets only its probe users probe refuses another authenticated user with 403:
// ErrUnauthorized, saying so.
func TestClientNotAProbeUserIsRefused(t *testing.T) {
	a := agenttest.Start(t, agenttest.Options{Username: "prometheus", Password: "scrape-pw",
		OtherUsers: map[string]string{"opsproxy": "probe-pw"}, ProbeUsers: []string{"opsproxy"}})
	_, err := client(t, a).Probe(context.Background(), small)
	if !errors.Is(err, diskagent.ErrUnauthorized) || !strings.Contains(err.Error(), "(403 Forbidden): ") || !strings.Contains(err.Error(), "prometheus") {
		t.Fatalf("probe as a user that may not: %v", err)
	}
	if err := client(t, a).Healthy(context.Background()); err != nil {
		t.Fatalf("health as that user: %v", err)
	}
}
