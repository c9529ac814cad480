//go:build browser

package browsertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// etcdDirect is a loopback HTTP door to etcd itself, for the scenarios to change a key behind
// the console's back (as another client would) and to read what etcd holds, without opsproxy:
//
//	PUT /key?key=K   body: the value   → {"revision": R}
//	GET /key?key=K                      → {"exists": bool, "value": V, "mod_revision": R}
//
// It is the test's own harness, in front of the real cluster; only the scenarios know its URL.
func etcdDirect(t *testing.T, cli *clientv3.Client) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/key", func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		if key == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "key: must not be empty"})
			return
		}
		var answer any
		switch r.Method {
		case http.MethodPut:
			value, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "value: " + err.Error()})
				return
			}
			resp, err := cli.Put(r.Context(), key, string(value))
			if err != nil {
				writeJSON(w, http.StatusBadGateway, map[string]string{"error": "etcd: " + err.Error()})
				return
			}
			answer = map[string]int64{"revision": resp.Header.Revision}
		case http.MethodGet:
			resp, err := cli.Get(r.Context(), key)
			if err != nil {
				writeJSON(w, http.StatusBadGateway, map[string]string{"error": "etcd: " + err.Error()})
				return
			}
			got := map[string]any{"exists": len(resp.Kvs) > 0}
			if len(resp.Kvs) > 0 {
				got["value"] = string(resp.Kvs[0].Value)
				got["mod_revision"] = resp.Kvs[0].ModRevision
			}
			answer = got
		default:
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method: PUT or GET"})
			return
		}
		writeJSON(w, http.StatusOK, answer)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
