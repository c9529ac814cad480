package consolehistory

import (
	"net/http"

	"github.com/etcd-monitor/etcd-monitor/internal/store"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/apihttp"
	"github.com/etcd-monitor/etcd-monitor/opsproxy/internal/core"
)

// maxSettingsBody bounds PUT /api/v1/console/settings: the settings are a few booleans.
const maxSettingsBody = 4 << 10

// getSettings answers the caller's console settings (the defaults when never set).
func (s *api) getSettings(c *core.Call) (any, error) {
	set, err := s.Store.ConsoleSettings(c.R.Context(), c.P.User)
	if err != nil {
		return nil, apihttp.StoreError("console settings", err)
	}
	return set, nil
}

// setSettings replaces the caller's console settings with the body's and answers them.
func (s *api) setSettings(c *core.Call) (any, error) {
	var req struct {
		KeepValues *bool `json:"keep_values"`
	}
	if err := apihttp.DecodeJSON(c.R, &req, maxSettingsBody); err != nil {
		return nil, err
	}
	if req.KeepValues == nil {
		return nil, apihttp.Errorf(http.StatusBadRequest, "keep_values: required (true or false)")
	}
	set := store.ConsoleSettings{KeepValues: *req.KeepValues}
	if err := c.CommitIntent(); err != nil {
		return nil, err
	}
	if err := s.Store.SetConsoleSettings(c.R.Context(), c.P.User, set); err != nil {
		return nil, apihttp.StoreError("set console settings", err)
	}
	return set, nil
}
