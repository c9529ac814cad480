package plugin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
)

// ID is the plugin id, as in src/plugin.json.
const ID = "etcdmonitor-etcd-app"

var (
	_ backend.CallResourceHandler   = (*App)(nil)
	_ backend.CheckHealthHandler    = (*App)(nil)
	_ instancemgmt.InstanceDisposer = (*App)(nil)
)

// App is one instance of the app (one per Grafana org and settings version).
type App struct {
	backend.CallResourceHandler

	logger log.Logger
	// base is opsproxy's URL and token the service token; both are unset when configErr is.
	base   *url.URL
	token  string
	client *http.Client
	// configErr says why the app cannot reach opsproxy as configured (errNotConfigured
	// wrapped with what is missing, or a bad URL or TLS setting).
	configErr error
}

// NewApp is the instance factory given to app.Manage. A missing or bad setting does not fail
// it: resource calls and the health check then say what is wrong.
func NewApp(_ context.Context, s backend.AppInstanceSettings) (instancemgmt.Instance, error) {
	return newApp(s, log.DefaultLogger), nil
}

func newApp(s backend.AppInstanceSettings, logger log.Logger) *App {
	a := &App{logger: logger}
	a.configErr = a.configure(s)
	mux := http.NewServeMux()
	a.registerRoutes(mux)
	a.CallResourceHandler = httpadapter.New(mux)
	return a
}

func (a *App) configure(s backend.AppInstanceSettings) error {
	st, err := loadSettings(s)
	if err != nil {
		return err
	}
	if m := st.missing(); len(m) > 0 {
		return fmt.Errorf("%w: set the %s on the app's configuration page", errNotConfigured, joinAnd(m))
	}
	base, err := st.baseURL()
	if err != nil {
		return err
	}
	tlsCfg, err := st.tlsConfig()
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.TLSClientConfig = tlsCfg
	tr.MaxIdleConnsPerHost = 16
	tr.ResponseHeaderTimeout = 60 * time.Second
	a.base, a.token = base, st.ServiceToken
	// No overall timeout: watches stream for as long as the user keeps them open.
	a.client = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		// A redirect would carry the token to wherever it points.
		return http.ErrUseLastResponse
	}}
	return nil
}

// Dispose closes the idle connections of an instance whose settings changed.
func (a *App) Dispose() {
	if a.client != nil {
		a.client.CloseIdleConnections()
	}
}

func (a *App) registerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("/api/v1/", a.handleForward)
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " and " + s[len(s)-1]
}
