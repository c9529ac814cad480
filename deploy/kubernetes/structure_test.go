package kubernetes

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// knownKinds are the kinds the manifests may hold, with their apiVersion. A Secret is not one:
// Secrets are created by the operator and only referenced.
var knownKinds = map[string]string{
	"Namespace":      "v1",
	"ConfigMap":      "v1",
	"Service":        "v1",
	"Deployment":     "apps/v1",
	"DaemonSet":      "apps/v1",
	"ServiceMonitor": "monitoring.coreos.com/v1",
	"PrometheusRule": "monitoring.coreos.com/v1",
}

// rootException is the only container allowed to run as root: the diskprobe agent's init
// container, which hands the hostPath probe directory to the agent's user with CAP_CHOWN alone.
const rootException = "DaemonSet/etcd-monitor-diskprobe-agent/prepare-dir"

type pod struct {
	owner  object
	labels map[string]string
	spec   podSpec
}

// checkStructure returns every structural problem of a rendered set of manifests, each naming
// the object and field.
func checkStructure(objs []object) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	var pods []pod
	var services []object
	configMaps := map[string]object{}
	for _, o := range objs {
		want, ok := knownKinds[o.Kind]
		switch {
		case o.Kind == "Secret":
			fail("%s: a Secret in the manifests (create it apart and reference it)", o.ref())
			continue
		case !ok:
			fail("%s: unknown kind %q", o.ref(), o.Kind)
			continue
		case o.APIVersion != want:
			fail("%s: apiVersion %q, want %q", o.ref(), o.APIVersion, want)
		}
		switch o.Kind {
		case "Deployment", "DaemonSet":
			var s workloadSpec
			if err := unmarshalSpec(o, &s); err != nil {
				fail("%v", err)
				continue
			}
			if len(s.Selector.MatchLabels) == 0 {
				fail("%s: spec.selector.matchLabels: empty", o.ref())
			}
			if !matches(s.Selector.MatchLabels, s.Template.Metadata.Labels) {
				fail("%s: spec.selector %v does not match the pod template's labels %v", o.ref(), s.Selector.MatchLabels, s.Template.Metadata.Labels)
			}
			pods = append(pods, pod{owner: o, labels: s.Template.Metadata.Labels, spec: s.Template.Spec})
		case "Service":
			services = append(services, o)
		case "ConfigMap":
			configMaps[o.Metadata.Namespace+"/"+o.Metadata.Name] = o
		}
	}
	for _, p := range pods {
		errs = append(errs, checkPod(p, configMaps)...)
	}
	for _, s := range services {
		errs = append(errs, checkService(s, pods)...)
	}
	for _, o := range objs {
		if o.Kind == "ServiceMonitor" {
			errs = append(errs, checkServiceMonitor(o, services)...)
		}
	}
	return errs
}

func checkPod(p pod, configMaps map[string]object) []string {
	var errs []string
	ref := p.owner.ref()
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if p.spec.HostNetwork || p.spec.HostPID {
		fail("%s: hostNetwork or hostPID (the agent is reached through a hostPort)", ref)
	}
	volumes := map[string]volume{}
	for _, v := range p.spec.Volumes {
		volumes[v.Name] = v
		if v.ConfigMap != nil {
			if _, ok := configMaps[p.owner.Metadata.Namespace+"/"+v.ConfigMap.Name]; !ok {
				fail("%s: volume %s: ConfigMap %q is not in the manifests", ref, v.Name, v.ConfigMap.Name)
			}
		}
	}
	all := append(slices.Clone(p.spec.InitContainers), p.spec.Containers...)
	for _, c := range all {
		cref := fmt.Sprintf("%s container %s", ref, c.Name)
		if err := pinned(c.Image); err != "" {
			fail("%s: image %q: %s", cref, c.Image, err)
		}
		errs = append(errs, checkSecurity(p, c, cref)...)
		if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
			fail("%s: resources: want cpu and memory requests and a memory limit", cref)
		}
		for _, m := range c.VolumeMounts {
			if _, ok := volumes[m.Name]; !ok {
				fail("%s: volumeMounts %s: no such volume", cref, m.Name)
			}
		}
		for _, e := range c.Env {
			if e.Value != "" && secretLike(e.Name) {
				fail("%s: env %s: a secret inline (use valueFrom.secretKeyRef)", cref, e.Name)
			}
		}
	}
	for _, c := range p.spec.Containers {
		cref := fmt.Sprintf("%s container %s", ref, c.Name)
		if c.LivenessProbe == nil || c.ReadinessProbe == nil {
			fail("%s: want a liveness and a readiness probe", cref)
		}
		for _, pr := range []*probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
			if pr == nil {
				continue
			}
			switch {
			case pr.HTTPGet != nil:
				if !hasPort(c.Ports, pr.HTTPGet.Port) {
					fail("%s: probe port %s is not a container port", cref, portText(pr.HTTPGet.Port))
				}
			case pr.TCPSocket != nil:
				if !hasPort(c.Ports, pr.TCPSocket.Port) {
					fail("%s: probe port %s is not a container port", cref, portText(pr.TCPSocket.Port))
				}
			default:
				fail("%s: probe: want httpGet or tcpSocket", cref)
			}
		}
	}
	return errs
}

func checkSecurity(p pod, c container, cref string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	sc := c.SecurityContext
	if sc == nil {
		return []string{cref + ": no securityContext"}
	}
	nonRoot, uid, seccomp := false, int64(-1), ""
	if ps := p.spec.SecurityContext; ps != nil && ps.SeccompProfile != nil {
		seccomp = ps.SeccompProfile.Type
	}
	if sc.SeccompProfile != nil {
		seccomp = sc.SeccompProfile.Type
	}
	if seccomp != "RuntimeDefault" && seccomp != "Localhost" {
		fail("%s: securityContext.seccompProfile: want RuntimeDefault", cref)
	}
	if ps := p.spec.SecurityContext; ps != nil {
		if ps.RunAsNonRoot != nil {
			nonRoot = *ps.RunAsNonRoot
		}
		if ps.RunAsUser != nil {
			uid = *ps.RunAsUser
		}
	}
	if sc.RunAsNonRoot != nil {
		nonRoot = *sc.RunAsNonRoot
	}
	if sc.RunAsUser != nil {
		uid = *sc.RunAsUser
	}
	drop, add := []string(nil), []string(nil)
	if sc.Capabilities != nil {
		drop, add = sc.Capabilities.Drop, sc.Capabilities.Add
	}
	if p.owner.Kind+"/"+p.owner.Metadata.Name+"/"+c.Name == rootException {
		if uid != 0 || !slices.Equal(add, []string{"CHOWN"}) {
			fail("%s: the probe directory's init container: want root with CAP_CHOWN alone, got uid %d, add %v", cref, uid, add)
		}
	} else {
		if !nonRoot || uid == 0 {
			fail("%s: securityContext: want runAsNonRoot and a non-zero runAsUser", cref)
		}
		if len(add) > 0 {
			fail("%s: securityContext.capabilities.add: %v, want none", cref, add)
		}
	}
	if !slices.Contains(drop, "ALL") {
		fail("%s: securityContext.capabilities.drop: want ALL", cref)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		fail("%s: securityContext.allowPrivilegeEscalation: want false", cref)
	}
	if sc.Privileged != nil && *sc.Privileged {
		fail("%s: securityContext.privileged", cref)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		fail("%s: securityContext.readOnlyRootFilesystem: want true (mount a volume for what must be writable)", cref)
	}
	return errs
}

func checkService(s object, pods []pod) []string {
	var spec serviceSpec
	if err := unmarshalSpec(s, &spec); err != nil {
		return []string{err.Error()}
	}
	if len(spec.Selector) == 0 {
		return []string{s.ref() + ": spec.selector: empty"}
	}
	var selected []pod
	for _, p := range pods {
		if p.owner.Metadata.Namespace == s.Metadata.Namespace && matches(spec.Selector, p.labels) {
			selected = append(selected, p)
		}
	}
	if len(selected) == 0 {
		return []string{fmt.Sprintf("%s: spec.selector %v selects no pod", s.ref(), spec.Selector)}
	}
	var errs []string
	for _, sp := range spec.Ports {
		target := sp.TargetPort
		if len(target) == 0 {
			target = []byte(fmt.Sprint(sp.Port))
		}
		for _, p := range selected {
			found := false
			for _, c := range p.spec.Containers {
				found = found || hasPort(c.Ports, target)
			}
			if !found {
				errs = append(errs, fmt.Sprintf("%s: port %s: targetPort %s is not a container port of %s", s.ref(), sp.Name, portText(target), p.owner.ref()))
			}
		}
	}
	return errs
}

func checkServiceMonitor(o object, services []object) []string {
	var spec serviceMonitorSpec
	if err := unmarshalSpec(o, &spec); err != nil {
		return []string{err.Error()}
	}
	var selected []serviceSpec
	for _, s := range services {
		if s.Metadata.Namespace != o.Metadata.Namespace || !matches(spec.Selector.MatchLabels, s.Metadata.Labels) {
			continue
		}
		var ss serviceSpec
		if err := unmarshalSpec(s, &ss); err == nil {
			selected = append(selected, ss)
		}
	}
	if len(spec.Selector.MatchLabels) == 0 || len(selected) == 0 {
		return []string{fmt.Sprintf("%s: spec.selector %v selects no Service", o.ref(), spec.Selector.MatchLabels)}
	}
	var errs []string
	for i, e := range spec.Endpoints {
		for _, s := range selected {
			if !slices.ContainsFunc(s.Ports, func(p servicePort) bool {
				return p.Name == e.Port
			}) {
				errs = append(errs, fmt.Sprintf("%s: spec.endpoints[%d].port %q is not a port of the Service it selects", o.ref(), i, e.Port))
			}
		}
	}
	return errs
}

// matches reports whether every key of selector has its value in labels.
func matches(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func hasPort(ports []containerPort, raw []byte) bool {
	name, number := port(raw)
	for _, p := range ports {
		if (name != "" && p.Name == name) || (number != 0 && p.ContainerPort == number) {
			return true
		}
	}
	return false
}

// portText shows a port as the manifest wrote it.
func portText(raw []byte) string {
	name, number := port(raw)
	if name != "" {
		return name
	}
	return fmt.Sprint(number)
}

// pinned says what is wrong with an image reference that does not name one version.
func pinned(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	slash := strings.LastIndex(image, "/")
	colon := strings.LastIndex(image, ":")
	switch {
	case colon <= slash:
		return "no tag (pin a version)"
	case image[colon+1:] == "latest":
		return ":latest (pin a version)"
	}
	return ""
}

func secretLike(name string) bool {
	n := strings.ToUpper(name)
	for _, w := range []string{"PASSWORD", "TOKEN", "SECRET", "KEY"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// secretRefs lists every Secret the manifests reference (env, volumes, ServiceMonitors), as
// "namespace/name" (or "name" where the manifests set no namespace), sorted.
func secretRefs(objs []object) []string {
	seen := map[string]bool{}
	for _, o := range objs {
		add := func(name string) {
			if o.Metadata.Namespace != "" {
				name = o.Metadata.Namespace + "/" + name
			}
			seen[name] = true
		}
		switch o.Kind {
		case "Deployment", "DaemonSet":
			var s workloadSpec
			if unmarshalSpec(o, &s) != nil {
				continue
			}
			for _, v := range s.Template.Spec.Volumes {
				if v.Secret != nil {
					add(v.Secret.SecretName)
				}
			}
			for _, c := range append(slices.Clone(s.Template.Spec.InitContainers), s.Template.Spec.Containers...) {
				for _, e := range c.Env {
					if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
						add(e.ValueFrom.SecretKeyRef.Name)
					}
				}
			}
		case "ServiceMonitor":
			var s serviceMonitorSpec
			if unmarshalSpec(o, &s) != nil {
				continue
			}
			for _, e := range s.Endpoints {
				if e.BasicAuth != nil {
					add(e.BasicAuth.Username.Name)
					add(e.BasicAuth.Password.Name)
				}
				if e.TLSConfig != nil && e.TLSConfig.CA != nil && e.TLSConfig.CA.Secret != nil {
					add(e.TLSConfig.CA.Secret.Name)
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
