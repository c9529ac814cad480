package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// object is what the structure checks read of a rendered resource; unknown fields are ignored.
type object struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metadata          `json:"metadata"`
	Data       map[string]string `json:"data"`
	StringData map[string]string `json:"stringData"`
	Spec       json.RawMessage   `json:"spec"`
}

type metadata struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
}

// ref names the object in error messages: "Deployment etcd-monitor/etcd-monitor-exporter".
func (o object) ref() string {
	if o.Metadata.Namespace == "" {
		return o.Kind + " " + o.Metadata.Name
	}
	return o.Kind + " " + o.Metadata.Namespace + "/" + o.Metadata.Name
}

type labelSelector struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type workloadSpec struct {
	Selector labelSelector `json:"selector"`
	Template struct {
		Metadata metadata `json:"metadata"`
		Spec     podSpec  `json:"spec"`
	} `json:"template"`
}

type podSpec struct {
	HostNetwork     bool              `json:"hostNetwork"`
	HostPID         bool              `json:"hostPID"`
	NodeSelector    map[string]string `json:"nodeSelector"`
	Tolerations     []toleration      `json:"tolerations"`
	SecurityContext *securityContext  `json:"securityContext"`
	InitContainers  []container       `json:"initContainers"`
	Containers      []container       `json:"containers"`
	Volumes         []volume          `json:"volumes"`
}

type toleration struct {
	Key      string `json:"key"`
	Operator string `json:"operator"`
	Effect   string `json:"effect"`
}

type securityContext struct {
	SeccompProfile *struct {
		Type string `json:"type"`
	} `json:"seccompProfile"`
	RunAsNonRoot             *bool  `json:"runAsNonRoot"`
	RunAsUser                *int64 `json:"runAsUser"`
	Privileged               *bool  `json:"privileged"`
	AllowPrivilegeEscalation *bool  `json:"allowPrivilegeEscalation"`
	ReadOnlyRootFilesystem   *bool  `json:"readOnlyRootFilesystem"`
	Capabilities             *struct {
		Add  []string `json:"add"`
		Drop []string `json:"drop"`
	} `json:"capabilities"`
}

type container struct {
	Name            string           `json:"name"`
	Image           string           `json:"image"`
	Command         []string         `json:"command"`
	Args            []string         `json:"args"`
	Env             []envVar         `json:"env"`
	Ports           []containerPort  `json:"ports"`
	LivenessProbe   *probe           `json:"livenessProbe"`
	ReadinessProbe  *probe           `json:"readinessProbe"`
	StartupProbe    *probe           `json:"startupProbe"`
	SecurityContext *securityContext `json:"securityContext"`
	Resources       struct {
		Requests map[string]string `json:"requests"`
		Limits   map[string]string `json:"limits"`
	} `json:"resources"`
	VolumeMounts []volumeMount `json:"volumeMounts"`
}

type envVar struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	ValueFrom *struct {
		SecretKeyRef *struct {
			Name string `json:"name"`
			Key  string `json:"key"`
		} `json:"secretKeyRef"`
	} `json:"valueFrom"`
}

type containerPort struct {
	Name          string `json:"name"`
	ContainerPort int    `json:"containerPort"`
	HostPort      int    `json:"hostPort"`
}

type probe struct {
	HTTPGet *struct {
		Path string          `json:"path"`
		Port json.RawMessage `json:"port"`
	} `json:"httpGet"`
	TCPSocket *struct {
		Port json.RawMessage `json:"port"`
	} `json:"tcpSocket"`
	Exec *struct {
		Command []string `json:"command"`
	} `json:"exec"`
}

type volume struct {
	Name      string `json:"name"`
	ConfigMap *struct {
		Name string `json:"name"`
	} `json:"configMap"`
	Secret *struct {
		SecretName string `json:"secretName"`
		Items      []struct {
			Key  string `json:"key"`
			Path string `json:"path"`
		} `json:"items"`
	} `json:"secret"`
	EmptyDir *struct{} `json:"emptyDir"`
	HostPath *struct {
		Path string `json:"path"`
		Type string `json:"type"`
	} `json:"hostPath"`
}

type volumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	ReadOnly  bool   `json:"readOnly"`
}

type serviceSpec struct {
	Selector  map[string]string `json:"selector"`
	ClusterIP string            `json:"clusterIP"`
	Ports     []servicePort     `json:"ports"`
}

type servicePort struct {
	Name       string          `json:"name"`
	Port       int             `json:"port"`
	TargetPort json.RawMessage `json:"targetPort"`
}

type serviceMonitorSpec struct {
	Selector  labelSelector `json:"selector"`
	Endpoints []struct {
		Port      string `json:"port"`
		Path      string `json:"path"`
		TLSConfig *struct {
			CA *struct {
				Secret *secretKeySelector `json:"secret"`
			} `json:"ca"`
		} `json:"tlsConfig"`
		BasicAuth *struct {
			Username secretKeySelector `json:"username"`
			Password secretKeySelector `json:"password"`
		} `json:"basicAuth"`
	} `json:"endpoints"`
}

type secretKeySelector struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// port is a probe's or Service's port: a name or a number.
func port(raw json.RawMessage) (name string, number int) {
	if err := json.Unmarshal(raw, &number); err == nil {
		return "", number
	}
	_ = json.Unmarshal(raw, &name)
	return name, 0
}

// render runs kustomize (its Go API, as `kubectl apply -k` does) on the kustomization in dir.
func render(t *testing.T, dir string) []object {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var objs []object
	for _, r := range m.Resources() {
		b, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %v", r.CurId(), err)
		}
		var o object
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatalf("%s: %v", r.CurId(), err)
		}
		objs = append(objs, o)
	}
	return objs
}

// decode reads a multi-document YAML stream into objects (the structure checks' own tests).
func decode(t *testing.T, stream string) []object {
	t.Helper()
	var objs []object
	for _, doc := range strings.Split(stream, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var o object
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("decode %q: %v", doc, err)
		}
		objs = append(objs, o)
	}
	return objs
}

func unmarshalSpec(o object, v any) error {
	if len(o.Spec) == 0 {
		return fmt.Errorf("%s: no spec", o.ref())
	}
	d := json.NewDecoder(bytes.NewReader(o.Spec))
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%s: spec: %w", o.ref(), err)
	}
	return nil
}
