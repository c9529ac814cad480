package opsproxy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/etcd-monitor/etcd-monitor/internal/etcdtest"
	"github.com/etcd-monitor/etcd-monitor/internal/store"
)

// securedCluster is how an operator configures a TLS or auth cluster: certificates by file,
// the password in a password_file (omitted when passwordFile is empty).
type securedCluster struct {
	name         string
	c            *etcdtest.Cluster
	passwordFile string
	// noClientCert leaves out cert_file and key_file.
	noClientCert bool
}

func (sc securedCluster) entry() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  - name: %s\n    endpoints: [%s]\n    dial_timeout: 2s\n    request_timeout: 3s\n", sc.name, strings.Join(sc.c.Endpoints(), ", "))
	if f := sc.c.TLS; f != nil {
		fmt.Fprintf(&b, "    tls:\n      ca_file: %s\n", f.CAFile)
		if !sc.noClientCert {
			fmt.Fprintf(&b, "      cert_file: %s\n      key_file: %s\n", f.ClientCertFile, f.ClientKeyFile)
		}
	}
	if sc.passwordFile != "" {
		fmt.Fprintf(&b, "    username: root\n    password_file: %s\n", sc.passwordFile)
	}
	return b.String()
}

// loadClusters loads the clusters section the way opsproxy.yml is loaded, validation included.
func loadClusters(t *testing.T, clusters ...securedCluster) *Config {
	t.Helper()
	yml := "clusters:\n"
	for _, sc := range clusters {
		yml += sc.entry()
	}
	path := filepath.Join(t.TempDir(), "opsproxy.yml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("load config: %v\n%s", err, yml)
	}
	return cfg
}

func writePasswordFile(t *testing.T, password string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "etcd-password")
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// secretsAbsent fails when a secret shows in any answer, log line or audit row.
func secretsAbsent(t *testing.T, e *env, answers []response, secrets ...string) {
	t.Helper()
	rows, err := json.Marshal(e.allAudit(t))
	if err != nil {
		t.Fatal(err)
	}
	places := map[string]string{"logs": e.log.String(), "audit rows": string(rows)}
	for i, r := range answers {
		places[fmt.Sprintf("answer %d", i)] = string(r.body)
	}
	for where, text := range places {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("the etcd password shows in %s:\n%s", where, text)
			}
		}
	}
}

// keysAndHealthWork puts and reads a key, and checks every endpoint is healthy.
func keysAndHealthWork(t *testing.T, e *env, cluster string, members int) []response {
	t.Helper()
	key := uniquePrefix(t) + "k"
	base := "/api/v1/clusters/" + cluster
	put := e.call(t, "PUT", base+"/keys", e.admin, map[string]any{"key": key, "value": "through-" + cluster})
	if put.status != 200 {
		t.Fatalf("put on %s: %d %s", cluster, put.status, put.body)
	}
	get := e.call(t, "GET", base+"/keys?key="+url.QueryEscape(key), e.admin, nil)
	if get.status != 200 || !strings.Contains(string(get.body), `"value":"through-`+cluster+`"`) {
		t.Fatalf("get on %s: %d %s", cluster, get.status, get.body)
	}
	health := e.call(t, "GET", base+"/endpoints", e.admin, nil)
	var h struct{ Healthy, Total int }
	health.json(t, &h)
	if health.status != 200 || h.Healthy != members || h.Total != members {
		t.Fatalf("endpoints of %s: %d %s", cluster, health.status, health.body)
	}
	return []response{put, get, health}
}

func TestKeysAndEndpointHealthWorkThroughOpsproxyAgainstEtcdWithTLSAndWithAuth(t *testing.T) {
	tlsCluster := etcdtest.New(t, etcdtest.Config{Size: 3, TLS: true})
	authCluster := etcdtest.New(t, etcdtest.Config{Size: 1, Auth: true})
	password := authCluster.RootPassword
	clusters := loadClusters(t,
		securedCluster{name: "secure-tls", c: tlsCluster},
		securedCluster{name: "secure-auth", c: authCluster, passwordFile: writePasswordFile(t, password)})
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Clusters = clusters.Clusters }})

	var answers []response
	answers = append(answers, keysAndHealthWork(t, e, "secure-tls", 3)...)
	answers = append(answers, keysAndHealthWork(t, e, "secure-auth", 1)...)
	list := e.call(t, "GET", "/api/v1/clusters", e.admin, nil)
	var l struct{ Clusters []clusterInfo }
	list.json(t, &l)
	if list.status != 200 || len(l.Clusters) != 2 || !l.Clusters[0].Reachable || !l.Clusters[1].Reachable {
		t.Fatalf("clusters: %d %s", list.status, list.body)
	}
	answers = append(answers, list)
	secretsAbsent(t, e, answers, password)
}

// A wrong etcd password, at start or after the password was changed in etcd, is reported
// without the password, old or new, in the error, the answers, the logs or the audit log.
func TestEtcdPasswordIsNeverShownEvenWhenItIsWrong(t *testing.T) {
	authCluster := etcdtest.New(t, etcdtest.Config{Size: 1, Auth: true})
	password := authCluster.RootPassword

	t.Run("wrong password at start", func(t *testing.T) {
		wrong := "wrong-" + store.NewID()
		cfg := loadClusters(t, securedCluster{name: "secure-auth", c: authCluster, passwordFile: writePasswordFile(t, wrong)})
		// New does not fail: the login is made in the background, its failure logged and
		// answered per request.
		e := newEnv(t, envOptions{configure: func(c *Config) { c.Clusters = cfg.Clusters }})
		var answers []response
		for _, call := range []struct{ method, path string }{
			{"GET", "/api/v1/clusters/secure-auth/keys?key=/k"},
			{"PUT", "/api/v1/clusters/secure-auth/keys"},
		} {
			r := e.call(t, call.method, call.path, e.admin, map[string]any{"key": "/k", "value": "v"})
			answers = append(answers, r)
			text := r.errorText(t)
			if r.status != 502 || !strings.Contains(text, "cluster secure-auth") || !strings.Contains(text, "authentication failed") {
				t.Errorf("%s %s with a wrong password: %d %s; want 502 naming the cluster and the authentication failure", call.method, call.path, r.status, r.body)
			}
		}
		logs := e.log.String()
		if !strings.Contains(logs, "cannot connect to etcd") || !strings.Contains(logs, "cluster=secure-auth") || !strings.Contains(logs, "authentication failed") {
			t.Errorf("no warning naming the cluster and the authentication failure:\n%s", logs)
		}
		secretsAbsent(t, e, answers, wrong, password)
	})

	t.Run("password changed in etcd after start", func(t *testing.T) {
		cfg := loadClusters(t, securedCluster{name: "secure-auth", c: authCluster, passwordFile: writePasswordFile(t, password)})
		e := newEnv(t, envOptions{configure: func(c *Config) { c.Clusters = cfg.Clusters }})
		answers := keysAndHealthWork(t, e, "secure-auth", 1)

		changed := "changed-" + store.NewID()
		cli := authCluster.Client(t)
		if _, err := cli.UserChangePassword(context.Background(), "root", changed); err != nil {
			t.Fatalf("change the root password: %v", err)
		}
		for _, call := range []struct{ method, path string }{
			{"GET", "/api/v1/clusters/secure-auth/keys?key=/k"},
			{"PUT", "/api/v1/clusters/secure-auth/keys"},
			{"GET", "/api/v1/clusters/secure-auth/endpoints"},
		} {
			r := e.call(t, call.method, call.path, e.admin, map[string]any{"key": "/k", "value": "v"})
			answers = append(answers, r)
			if r.status != 502 || !strings.Contains(r.errorText(t), "authentication failed") {
				t.Errorf("%s %s with the old password: %d %s; want 502 naming the authentication failure", call.method, call.path, r.status, r.body)
			}
		}
		secretsAbsent(t, e, answers, password, changed)
	})
}

// Against a cluster that requires client certificates, opsproxy configured without one is
// answered with an error, not with data: the certificate in the configuration is what works.
func TestTLSClusterWithoutAClientCertificateIsAnError(t *testing.T) {
	tlsCluster := etcdtest.New(t, etcdtest.Config{Size: 1, TLS: true})
	cfg := loadClusters(t, securedCluster{name: "secure-tls", c: tlsCluster, noClientCert: true})
	e := newEnv(t, envOptions{configure: func(c *Config) { c.Clusters = cfg.Clusters }})
	r := e.call(t, "GET", "/api/v1/clusters/secure-tls/keys?key=/k", e.admin, nil)
	if r.status < 500 {
		t.Fatalf("get without a client certificate: %d %s", r.status, r.body)
	}
}
