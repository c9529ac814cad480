package localagents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/etcd-monitor/etcd-monitor/diskprobe/agent"
)

// Options are what the agents probe and whether they also probe on their own.
type Options struct {
	// Dir is where each member's agent gets its probe directory (Dir/<member>).
	Dir string
	// Members are the etcd members' names, one agent each.
	Members []string
	// Scheduled runs each agent's periodic probes (the agent profile every Interval) besides
	// the probes asked of it; tests leave it off so that no probe of its own makes theirs busy.
	Scheduled bool
	// Interval between scheduled probes (default: the agent's).
	Interval time.Duration
	// MaxBytesPerHour is each agent's I/O budget (default: the agent's). Tests that must
	// cancel a long probe while it runs raise it, so that the budget does not end it first.
	MaxBytesPerHour int64
	Logger          *slog.Logger
}

// Local is one member's running agent.
type Local struct {
	Member string
	// URL is the agent's base URL (http://127.0.0.1:port).
	URL string
	// Dir is the directory it probes in.
	Dir string
}

// Set is the running agents.
type Set struct {
	Agents  []Local
	servers []*http.Server
	cancel  context.CancelFunc
	done    chan struct{}
}

// Start starts one agent per member, each with the agent's defaults (the small "agent"
// profile, its I/O budget) on Dir/<member>, served on 127.0.0.1 at a free port. On error,
// whatever was started is stopped again.
func Start(o Options) (*Set, error) {
	if len(o.Members) == 0 {
		return nil, errors.New("members: none given")
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Set{cancel: cancel, done: make(chan struct{})}
	fail := func(member string, err error) (*Set, error) {
		close(s.done)
		s.Close()
		return nil, fmt.Errorf("agent of %s: %w", member, err)
	}
	var loops []func()
	for _, m := range o.Members {
		dir := filepath.Join(o.Dir, m)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fail(m, err)
		}
		l := logger.With("member", m)
		a, err := agent.New(agent.Config{Dir: dir, Interval: o.Interval, Jitter: agent.DefaultJitter, MaxBytesPerHour: o.MaxBytesPerHour}, l, prometheus.NewRegistry())
		if err != nil {
			return fail(m, err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fail(m, err)
		}
		srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		s.servers = append(s.servers, srv)
		s.Agents = append(s.Agents, Local{Member: m, URL: "http://" + ln.Addr().String(), Dir: dir})
		if o.Scheduled {
			loops = append(loops, func() {
				if err := a.Run(ctx); err != nil {
					l.Error("scheduled probes stopped", "err", err)
				}
			})
		}
	}
	go func() {
		defer close(s.done)
		finished := make(chan struct{}, len(loops))
		for _, run := range loops {
			go func() { run(); finished <- struct{}{} }()
		}
		for range loops {
			<-finished
		}
	}()
	return s, nil
}

// YAML is the cluster's disk_agents entry for the agents, each line indented by indent.
func (s *Set) YAML(indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sdisk_agents:\n", indent)
	for _, a := range s.Agents {
		fmt.Fprintf(&b, "%s  - member: %s\n%s    url: %s\n", indent, a.Member, indent, a.URL)
	}
	return b.String()
}

// Close stops the agents and waits for their scheduled probes to end: a probe under way,
// scheduled or asked for, is cancelled (its connection closed) and removes its directory.
func (s *Set) Close() {
	s.cancel()
	for _, srv := range s.servers {
		_ = srv.Close()
	}
	<-s.done
}
