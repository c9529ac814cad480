package composetest

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestEveryImageIsPinned(t *testing.T) {
	p := loadProject(t)
	for name, s := range p.Services {
		if s.Build != nil {
			continue // built from the Dockerfile, whose FROM lines are pinned (dockerfile_test.go)
		}
		i := strings.LastIndex(s.Image, ":")
		if i < 0 || strings.Contains(s.Image[i:], "/") {
			t.Errorf("service %s: image %s has no tag", name, s.Image)
			continue
		}
		if tag := s.Image[i+1:]; tag == "latest" || !strings.ContainsAny(tag, "0123456789") {
			t.Errorf("service %s: image %s is not pinned to a version", name, s.Image)
		}
	}
	if img := service(t, p, "timescaledb").Image; !strings.HasSuffix(img, "-pg16") && !strings.HasSuffix(img, "-pg15") {
		t.Errorf("timescaledb image %s: want PostgreSQL 15 or 16", img)
	}
}

// oneShot reports whether service name runs once and exits (restart "no") and every service
// that depends on it waits for it to complete successfully: it has no health to check.
func oneShot(p *types.Project, name string) bool {
	if p.Services[name].Restart != types.RestartPolicyNo {
		return false
	}
	waited := false
	for _, s := range p.Services {
		if d, ok := s.DependsOn[name]; ok {
			if d.Condition != types.ServiceConditionCompletedSuccessfully {
				return false
			}
			waited = true
		}
	}
	return waited
}

func TestEveryServiceHasAHealthCheckAndWaitsForHealthyDependencies(t *testing.T) {
	p := loadProject(t)
	for name, s := range p.Services {
		if oneShot(p, name) {
			continue
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) < 2 {
			t.Errorf("service %s has no health check", name)
			continue
		}
		if s.HealthCheck.Test[0] != "CMD" {
			t.Errorf("service %s: health check %v: want the exec form (CMD), several images have no shell", name, s.HealthCheck.Test)
		}
		for dep, d := range s.DependsOn {
			ds, ok := p.Services[dep]
			if !ok {
				t.Errorf("service %s depends on unknown %s", name, dep)
				continue
			}
			// Prometheus does not wait for the exporter and Alertmanager to be healthy: it
			// retries scrapes and notifications, and a broken exporter is what it must report.
			if name == "prometheus" {
				continue
			}
			if ds.Restart == types.RestartPolicyNo && d.Condition != types.ServiceConditionCompletedSuccessfully {
				t.Errorf("service %s depends on the one-shot %s with condition %q, want service_completed_successfully", name, dep, d.Condition)
			}
			if ds.HealthCheck != nil && d.Condition != "service_healthy" {
				t.Errorf("service %s depends on %s with condition %q, want service_healthy", name, dep, d.Condition)
			}
		}
	}
	for _, dep := range []string{"timescaledb", "redis", "etcd-1", "etcd-2", "etcd-3"} {
		if _, ok := service(t, p, "opsproxy").DependsOn[dep]; !ok {
			t.Errorf("opsproxy does not wait for %s", dep)
		}
	}
}

func TestOurServicesCheckTheirOwnPortAndRunReadOnly(t *testing.T) {
	p := loadProject(t)
	for name, port := range ourServices {
		s := service(t, p, name)
		if addr, _ := flagValue(s.Command, "web.listen-address"); addr != ":"+port {
			t.Errorf("%s: --web.listen-address=%q, want :%s", name, addr, port)
		}
		want := []string{"CMD", "/usr/local/bin/etcd-monitor", "healthcheck", "http://127.0.0.1:" + port + "/-/healthy"}
		if strings.Join(s.HealthCheck.Test, " ") != strings.Join(want, " ") {
			t.Errorf("%s: health check %v, want %v", name, s.HealthCheck.Test, want)
		}
		if !s.ReadOnly {
			t.Errorf("%s: want read_only: true (it writes only to its volumes)", name)
		}
	}
}

func TestPublishedPortsAreLocalOnly(t *testing.T) {
	p := loadProject(t)
	for name, s := range p.Services {
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("service %s publishes %s on %q: want 127.0.0.1 (put a reverse proxy with TLS in front)", name, port.Published, port.HostIP)
			}
		}
	}
	for _, internal := range []string{"timescaledb", "redis", "etcd-1", "etcd-2", "etcd-3", "disk-agent-1", "disk-agent-2", "disk-agent-3"} {
		if len(service(t, p, internal).Ports) > 0 {
			t.Errorf("%s publishes a port; it is reached only inside the stack", internal)
		}
	}
}
