package plugin

import (
	"encoding/json"
	"strings"
	"testing"
)

// channelPath makes a watch channel's path as the Watch page does.
func channelPath(login, tab string, spec watchSpec) string {
	raw, _ := json.Marshal(spec)
	return watchChannelPrefix + b64.EncodeToString([]byte(login)) + "/" + tab + "/" + b64.EncodeToString(raw)
}

func TestWatchChannelRoundTrips(t *testing.T) {
	spec := watchSpec{Cluster: "c1", Key: "/app/ü\x00", Prefix: true, StartRevision: 7, PrevKV: true}
	c, err := parseWatchChannel(channelPath("alice@example.com", "tab_1-x", spec))
	if err != nil {
		t.Fatal(err)
	}
	if c.Login != "alice@example.com" || c.Tab != "tab_1-x" || c.Spec != spec {
		t.Errorf("parsed %+v", c)
	}
}

func TestWatchChannelRejectsBadPathsNamingThePart(t *testing.T) {
	good := watchSpec{Cluster: "c1", Key: "/a"}
	enc := func(s string) string { return b64.EncodeToString([]byte(s)) }
	for path, want := range map[string]string{
		"other/x":                 "not a watch channel",
		"watch/a/b":               "want watch/<user>/<tab>/<spec>",
		"watch/!!/t/" + enc(`{}`): "channel user",
		"watch/" + enc("alice") + "/t%20/" + enc(`{}`):                                   "channel tab",
		"watch/" + enc("alice") + "/t/***":                                               "channel spec: want JSON",
		"watch/" + enc("alice") + "/t/" + enc(`{"x":1}`):                                 "unknown field",
		"watch/" + enc("alice") + "/t/" + enc(`{"key":"a"}`):                             "channel spec cluster",
		channelPath("alice", "t", watchSpec{Cluster: "c1"}):                              "channel spec key",
		channelPath("alice", "t", watchSpec{Cluster: "c1", Key: "a", StartRevision: -1}): "start_revision",
		"watch/" + enc("alice") + "/t/" + strings.Repeat("A", 30000):                     "longer than",
	} {
		if _, err := parseWatchChannel(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.60s: %v, want an error with %q", path, err, want)
		}
	}
	if _, err := parseWatchChannel(channelPath("alice", "t", good)); err != nil {
		t.Errorf("good channel: %v", err)
	}
}
