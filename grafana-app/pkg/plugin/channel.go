package plugin

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A watch's Grafana Live channel is plugin/<plugin id>/<path> with path
//
//	watch/<user>/<tab>
//
// user is the subscriber's login, base64url without padding (channel paths allow only
// [A-Za-z0-9_=.-/] and 160 characters in all), and tab a random id the page makes for each
// watch. What the channel watches (watchSpec) is the channel's data, which Grafana hands to
// SubscribeStream and RunStream with the path. A channel is thus one user's one watch: Grafana
// runs one RunStream per channel, and the user part lets SubscribeStream refuse anyone else.
const watchChannelPrefix = "watch/"

// maxWatchSpec bounds a spec's size (a key is at most a few KiB in practice).
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

// parseWatchChannel parses a channel path and its data; its errors name the part that is wrong.
func parseWatchChannel(path string, data []byte) (watchChannel, error) {
	var c watchChannel
	rest, ok := strings.CutPrefix(path, watchChannelPrefix)
	if !ok {
		return c, fmt.Errorf("channel %q: not a watch channel (want watch/<user>/<tab>)", path)
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 2 {
		return c, errors.New("channel: want watch/<user>/<tab>")
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
	if len(data) > maxWatchSpec {
		return c, fmt.Errorf("channel data: longer than %d bytes", maxWatchSpec)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c.Spec); err != nil {
		return c, fmt.Errorf("channel data: want the watch as JSON: %w", err)
	}
	if c.Spec.Cluster == "" {
		return c, errors.New("channel data cluster: must not be empty")
	}
	if c.Spec.Key == "" && !c.Spec.Prefix {
		return c, errors.New("channel data key: must not be empty (or set prefix to watch every key)")
	}
	if c.Spec.StartRevision < 0 {
		return c, errors.New("channel data start_revision: must not be negative")
	}
	return c, nil
}
