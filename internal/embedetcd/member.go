package embedetcd

import (
	"fmt"
	"net"
	"net/url"
	"sync"
)

// Member is one member of a cluster.
type Member struct {
	Name      string
	ClientURL string
	PeerURL   string

	cluster *Cluster
	spec    memberSpec

	mu   sync.Mutex
	run  runner
	hole *blackhole
}

// runner is a started member: an embedded server in this process or a child process.
type runner interface {
	// stop shuts the member down cleanly (a leader hands over leadership first).
	stop() error
	// kill ends the member at once.
	kill()
}

// Running reports whether the member's etcd server is running.
func (m *Member) Running() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.run != nil
}

// Stop shuts the member down cleanly; its data directory stays for Restart.
func (m *Member) Stop() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.run == nil {
		return nil
	}
	err := m.run.stop()
	m.run = nil
	if err != nil {
		return fmt.Errorf("stop %s: %w", m.Name, err)
	}
	return nil
}

// Restart starts a stopped or black-holed member again on the same ports and data directory.
func (m *Member) Restart() error {
	m.mu.Lock()
	if m.hole != nil {
		m.hole.close()
		m.hole = nil
	}
	m.mu.Unlock()
	if m.Running() {
		return nil
	}
	return m.start()
}

// Blackhole stops the member and puts in its place, on its client port, a listener that accepts
// connections and never answers: a hung member, as seen by clients. Restart undoes it.
func (m *Member) Blackhole() error {
	if err := m.Stop(); err != nil {
		return err
	}
	u, err := url.Parse(m.ClientURL)
	if err != nil {
		return fmt.Errorf("client URL of %s: %w", m.Name, err)
	}
	h, err := newBlackhole(u.Host)
	if err != nil {
		return fmt.Errorf("black-hole %s: %w", m.Name, err)
	}
	m.mu.Lock()
	m.hole = h
	m.mu.Unlock()
	return nil
}

func (m *Member) start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var (
		r   runner
		err error
	)
	if m.cluster.cfg.ProcessPerMember {
		r, err = startProcess(m.spec, m.cluster.logs, m.cluster.cfg.StartTimeout)
	} else {
		r, err = startEmbedded(m.spec, m.cluster.logs.zapLogger(m.Name), m.cluster.cfg.StartTimeout)
	}
	if err != nil {
		return fmt.Errorf("start %s: %w", m.Name, err)
	}
	m.run = r
	return nil
}

// shutdown kills the member and removes any black hole.
func (m *Member) shutdown() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.hole != nil {
		m.hole.close()
		m.hole = nil
	}
	if m.run != nil {
		m.run.kill()
		m.run = nil
	}
}

// blackhole accepts TCP connections and holds them open without reading or writing.
type blackhole struct {
	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
	done  chan struct{}
}

func newBlackhole(addr string) (*blackhole, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	h := &blackhole{l: l, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
		}
	}()
	return h, nil
}

func (h *blackhole) close() {
	h.l.Close()
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
}
