package kubernetes

import (
	"strings"
	"testing"
)

// goodManifests is the smallest set the structure checks accept: a Deployment, its Service and
// its ServiceMonitor. Each case below breaks one thing.
const goodManifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: c
          image: example.org/app:1.0.0
          ports: [{name: http, containerPort: 8080}]
          livenessProbe: {httpGet: {path: /-/healthy, port: http}}
          readinessProbe: {httpGet: {path: /-/ready, port: 8080}}
          resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Service
metadata: {name: app, labels: {app: a}}
spec:
  selector: {app: a}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: app}
spec:
  selector: {matchLabels: {app: a}}
  endpoints: [{port: http}]
`

func TestStructureChecksAcceptTheSmallestGoodSet(t *testing.T) {
	if errs := checkStructure(decode(t, goodManifests)); len(errs) > 0 {
		t.Fatal(errs)
	}
}

func TestStructureChecksRejectBrokenManifests(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"selector not matching the pod labels", "selector: {matchLabels: {app: a}}\n  template", "selector: {matchLabels: {app: b}}\n  template",
			"Deployment app: spec.selector map[app:b] does not match the pod template's labels map[app:a]"},
		{"service selecting no pod", "selector: {app: a}", "selector: {app: z}", "Service app: spec.selector map[app:z] selects no pod"},
		{"service target port not declared", "targetPort: http", "targetPort: web", "Service app: port http: targetPort web is not a container port of Deployment app"},
		{"service target port number not declared", "targetPort: http", "targetPort: 9090", "targetPort 9090 is not a container port"},
		{"servicemonitor naming no service port", "endpoints: [{port: http}]", "endpoints: [{port: metrics}]",
			`ServiceMonitor app: spec.endpoints[0].port "metrics" is not a port of the Service it selects`},
		{"servicemonitor selecting no service", "selector: {matchLabels: {app: a}}\n  endpoints", "selector: {matchLabels: {app: q}}\n  endpoints",
			"ServiceMonitor app: spec.selector map[app:q] selects no Service"},
		{"probe on an undeclared port", "readinessProbe: {httpGet: {path: /-/ready, port: 8080}}", "readinessProbe: {httpGet: {path: /-/ready, port: 9000}}",
			"Deployment app container c: probe port 9000 is not a container port"},
		{"no readiness probe", "          readinessProbe: {httpGet: {path: /-/ready, port: 8080}}\n", "", "want a liveness and a readiness probe"},
		{"latest image", "example.org/app:1.0.0", "example.org/app:latest", `image "example.org/app:latest": :latest (pin a version)`},
		{"untagged image", "example.org/app:1.0.0", "example.org:5000/app", "no tag (pin a version)"},
		{"root container", "runAsNonRoot: true, runAsUser: 65532", "runAsUser: 0", "securityContext: want runAsNonRoot and a non-zero runAsUser"},
		{"no seccomp profile", ", seccompProfile: {type: RuntimeDefault}", "", "securityContext.seccompProfile: want RuntimeDefault"},
		{"capability added", "capabilities: {drop: [ALL]}", "capabilities: {drop: [ALL], add: [NET_ADMIN]}", "capabilities.add: [NET_ADMIN], want none"},
		{"writable root filesystem", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem: want true"},
		{"privilege escalation", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "allowPrivilegeEscalation: want false"},
		{"no resources", "          resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}\n", "", "resources: want cpu and memory requests and a memory limit"},
		{"host network", "      securityContext: {runAsNonRoot", "      hostNetwork: true\n      securityContext: {runAsNonRoot", "hostNetwork or hostPID"},
		{"secret inline in env", "          ports:", "          env: [{name: DB_PASSWORD, value: hunter2}]\n          ports:", "env DB_PASSWORD: a secret inline"},
		{"unknown kind", "kind: Service\n", "kind: Ingress\n", `Ingress app: unknown kind "Ingress"`},
		{"wrong apiVersion", "apiVersion: apps/v1", "apiVersion: extensions/v1beta1", `Deployment app: apiVersion "extensions/v1beta1", want "apps/v1"`},
		{"configmap volume missing", "      containers:", "      volumes: [{name: cfg, configMap: {name: nope}}]\n      containers:", `volume cfg: ConfigMap "nope" is not in the manifests`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(goodManifests, tc.old) {
				t.Fatalf("case does not apply: %q not in the manifests", tc.old)
			}
			errs := checkStructure(decode(t, strings.Replace(goodManifests, tc.old, tc.new, 1)))
			for _, e := range errs {
				if strings.Contains(e, tc.want) {
					return
				}
			}
			t.Errorf("errors %q, want one containing %q", errs, tc.want)
		})
	}
}

func TestStructureChecksRejectASecretInTheManifests(t *testing.T) {
	errs := checkStructure(decode(t, goodManifests+"---\napiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: aHVudGVyMg==}\n"))
	want := "Secret db: a Secret in the manifests (create it apart and reference it)"
	if len(errs) != 1 || errs[0] != want {
		t.Errorf("errors %q, want [%q]", errs, want)
	}
	for _, e := range errs {
		if strings.Contains(e, "aHVudGVyMg") || strings.Contains(e, "hunter2") {
			t.Errorf("error %q shows the secret", e)
		}
	}
}
