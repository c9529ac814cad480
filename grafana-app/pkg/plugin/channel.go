package plugin

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A watch's Grafana Live channel is plugin/<plugin id>/<path> with path
//
//	watch/<user>/<tab>/<spec>
//
// user is the subscriber's login and spec the watch's JSON (watchSpec), both base64url without
// padding (channel paths allow only [A-Za-z0-9_=.-/]); tab is a random id the page makes for
// each watch. A channel is thus one user's one watch: Grafana runs one RunStream per channel,
// and the user part lets SubscribeStream refuse anyone else.
const watchChannelPrefix = "watch/"

// maxWatchSpec bounds a spec's decoded size (a key is at most a few KiB in practice).
const maxWatchSpec = 16 << 10

var tabPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// watchSpec is what a watch channel watches, as the Watch page encodes it.
type watchSpec struct {
	Cluster       string `json:"cluster"`
	Key           string `json:"key"`
	Prefix        bool   `json:"prefix,omitempty"`
	StartRevision int64  `json:"start_revision,omitempty"`
	PrevKV        bool   `json:"prev_kv,omitempty"`
}

// watchChannel is a parsed watch channel path.
type watchChannel struct {
	Login string
	Tab   string
	Spec  watchSpec
}

var b64 = base64.RawURLEncoding

// parseWatchChannel parses a channel path; its errors name the part that is wrong.
func parseWatchChannel(path string) (watchChannel, error) {
	var c watchChannel
	rest, ok := strings.CutPrefix(path, watchChannelPrefix)
	if !ok {
		return c, fmt.Errorf("channel %q: not a watch channel (want watch/<user>/<tab>/<spec>)", path)
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return c, errors.New("channel: want watch/<user>/<tab>/<spec>")
	}
	login, err := b64.DecodeString(parts[0])
	if err != nil || len(login) == 0 {
		return c, errors.New("channel user: want the login, base64url without padding")
	}
	c.Login = string(login)
	if !tabPattern.MatchString(parts[1]) {
		return c, errors.New("channel tab: want 1 to 64 of A-Z a-z 0-9 _ -")
	}
	c.Tab = parts[1]
	if b64.DecodedLen(len(parts[2])) > maxWatchSpec {
		return c, fmt.Errorf("channel spec: longer than %d bytes", maxWatchSpec)
	}
	raw, err := b64.DecodeString(parts[2])
	if err != nil {
		return c, errors.New("channel spec: want JSON, base64url without padding")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c.Spec); err != nil {
		return c, fmt.Errorf("channel spec: %w", err)
	}
	if c.Spec.Cluster == "" {
		return c, errors.New("channel spec cluster: must not be empty")
	}
	if c.Spec.Key == "" && !c.Spec.Prefix {
		return c, errors.New("channel spec key: must not be empty (or set prefix to watch every key)")
	}
	if c.Spec.StartRevision < 0 {
		return c, errors.New("channel spec start_revision: must not be negative")
	}
	return c, nil
}
