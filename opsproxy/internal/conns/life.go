package conns

import (
	"context"
	"sync/atomic"
)

// connLife tracks a cluster connection across reloads: uses counts the requests using it, plus
// one while it is served; retired ends when a reload takes it out of service, which ends its
// open watches. A retired connection is closed when its last use ends.
type connLife struct {
	uses    atomic.Int64
	retired context.Context
	retire  context.CancelFunc
}

// init makes a served connection: one use, for being served.
func (l *connLife) init() {
	l.uses.Store(1)
	l.retired, l.retire = context.WithCancel(context.Background())
}

// Acquire takes a use of the connection for a request; false once it is retired and its last
// use has ended (it is then closed).
func (c *Conn) Acquire() bool {
	for {
		n := c.life.uses.Load()
		if n <= 0 {
			return false
		}
		if c.life.uses.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// Release gives a use back, and closes the connection when it was the last use of a retired
// one.
func (c *Conn) Release() {
	if c.life.uses.Add(-1) == 0 {
		go c.Close()
	}
}

// Retire takes the connection out of service: its watches end now, its client is closed when
// the requests using it end.
func (c *Conn) Retire() {
	c.life.retire()
	c.Release()
}

func (c *Conn) IsClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// RetiredContext is done when a reload takes the connection out of service.
func (c *Conn) RetiredContext() context.Context { return c.life.retired }
