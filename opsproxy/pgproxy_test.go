package opsproxy

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/internal/store/postgres"
	"github.com/etcd-monitor/etcd-monitor/internal/store/storetest"
)

// pgProxy forwards TCP connections from a loopback port of its own to the test PostgreSQL
// server, so that a test can make the server "go away" for its store alone (stop) and come
// back on the same address (start), without touching the server others share.
type pgProxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]struct{}
}

func newPGProxy(t testing.TB, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{t: t, target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *pgProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *pgProxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil {
		p.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// stop closes the port and every forwarded connection: the store sees PostgreSQL gone.
func (p *pgProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// start listens again on the same address: PostgreSQL is back.
func (p *pgProxy) start() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// pgPassword is in the DSN of a store behind a proxy (the test server trusts, so it is never
// asked for): no answer may show it.
const pgPassword = "s3cret-dsn-password"

// openProxiedPostgres opens a fresh PostgreSQL store that reaches the server through a proxy
// the test can stop and start.
func openProxiedPostgres(t testing.TB) (store.Store, *pgProxy) {
	t.Helper()
	dsn := storetest.PostgresDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newPGProxy(t, u.Host)
	schema := "opsproxy_test_" + store.NewID()[:12]
	storetest.DropSchemaAtCleanup(t, dsn, schema)
	u.Host = p.addr
	u.User = url.UserPassword(u.User.Username(), pgPassword)
	st, err := postgres.Open(context.Background(), u.String(), postgres.Options{Schema: schema})
	if err != nil {
		t.Fatalf("open postgres store through the proxy: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, p
}
