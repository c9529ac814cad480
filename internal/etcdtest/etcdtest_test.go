package etcdtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

func TestMain(m *testing.M) {
	RunMemberIfRequested()
	os.Exit(m.Run())
}

func TestClusterOfThreeServesReadsAndWrites(t *testing.T) {
	c := New(t, Config{Size: 3})
	cli := c.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cli.Put(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	// Every member serves the write it did not receive itself.
	for _, m := range c.Members {
		one := c.Client(t, m.ClientURL)
		resp, err := one.Get(ctx, "k")
		if err != nil {
			t.Fatalf("get from %s: %v", m.Name, err)
		}
		if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "v" {
			t.Fatalf("get from %s: %v", m.Name, resp.Kvs)
		}
	}
	if l := c.Leader(t); l < 0 || l >= 3 {
		t.Fatalf("leader index %d", l)
	}
}

func TestStoppedMemberRefusesAndRestartedMemberServes(t *testing.T) {
	c := New(t, Config{Size: 3})
	m := c.Members[1]
	m.Stop(t)
	if m.Running() {
		t.Fatal("member still running after Stop")
	}
	cli := c.Client(t, m.ClientURL)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	_, err := cli.Get(ctx, "k")
	cancel()
	if err == nil {
		t.Fatal("get from a stopped member succeeded")
	}
	m.Restart(t)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Client(t, m.ClientURL).Get(ctx, "k"); err != nil {
		t.Fatalf("get after restart: %v", err)
	}
}

func TestBlackholedMemberAcceptsButNeverAnswers(t *testing.T) {
	c := New(t, Config{Size: 3})
	m := c.Members[2]
	m.Blackhole(t)
	cli := c.Client(t, m.ClientURL)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err := cli.Status(ctx, m.ClientURL)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "DeadlineExceeded") {
		t.Fatalf("status of a black-holed member: want deadline exceeded, got %v", err)
	}
	m.Restart(t)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Client(t, m.ClientURL).Status(ctx, m.ClientURL); err != nil {
		t.Fatalf("status after restart: %v", err)
	}
}

func TestTLSClusterRequiresClientCertificate(t *testing.T) {
	c := New(t, Config{Size: 1, TLS: true})
	if !strings.HasPrefix(c.Members[0].ClientURL, "https://") {
		t.Fatalf("client URL %s is not https", c.Members[0].ClientURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Client(t).Put(ctx, "k", "v"); err != nil {
		t.Fatalf("put with client certificate: %v", err)
	}
	// Without the client certificate the handshake fails.
	cfg := c.ClientConfig()
	cfg.TLS.Certificates, cfg.TLS.GetClientCertificate = nil, nil
	cli, err := clientv3.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	short, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	if _, err := cli.Get(short, "k"); err == nil {
		t.Fatal("get without client certificate succeeded")
	}
}

func TestAuthClusterRefusesAnonymousAndAcceptsRoot(t *testing.T) {
	c := New(t, Config{Size: 1, Auth: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Client(t).Put(ctx, "k", "v"); err != nil {
		t.Fatalf("put as root: %v", err)
	}
	cfg := c.ClientConfig()
	cfg.Username, cfg.Password = "", ""
	anon, err := clientv3.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer anon.Close()
	if _, err := anon.Get(ctx, "k"); !errors.Is(err, rpctypes.ErrUserEmpty) && !errors.Is(err, rpctypes.ErrPermissionDenied) {
		t.Fatalf("anonymous get: want user empty or permission denied, got %v", err)
	}
}

func TestProcessPerMemberServesOwnMetrics(t *testing.T) {
	c := New(t, Config{Size: 3, ProcessPerMember: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Client(t).Put(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	// Each member's /metrics reports itself as a single server: has_leader 1 and is_leader
	// 1 on exactly one of them, which a shared registry could not show.
	leaders := 0
	for _, m := range c.Members {
		resp, err := http.Get(m.ClientURL + "/metrics")
		if err != nil {
			t.Fatalf("metrics of %s: %v", m.Name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "\netcd_server_is_leader 1") {
			leaders++
		}
	}
	if leaders != 1 {
		t.Fatalf("%d members report etcd_server_is_leader 1; want exactly 1", leaders)
	}
	c.Members[0].Stop(t)
	c.Members[0].Restart(t)
}
