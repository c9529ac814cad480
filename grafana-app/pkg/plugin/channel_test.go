package plugin

import (
	"encoding/json"
	"strings"
	"testing"
)

// channelOf makes a watch channel's path and data as the Watch page does.
func channelOf(login, tab string, spec watchSpec) (string, []byte) {
	raw, _ := json.Marshal(spec)
	return watchChannelPrefix + b64.EncodeToString([]byte(login)) + "/" + tab, raw
}

func TestWatchChannelRoundTrips(t *testing.T) {
	spec := watchSpec{Cluster: "c1", Key: "/app/ü\x00", Prefix: true, StartRevision: 7, PrevKV: true}
	c, err := parseWatchChannel(channelOf("alice@example.com", "tab_1-x", spec))
	if err != nil {
		t.Fatal(err)
	}
	if c.Login != "alice@example.com" || c.Tab != "tab_1-x" || c.Spec != spec {
		t.Errorf("parsed %+v", c)
	}
}

func TestWatchChannelRejectsBadPathsNamingThePart(t *testing.T) {
	alice := "watch/" + b64.EncodeToString([]byte("alice")) + "/t"
	for _, tc := range []struct {
		path, data, want string
	}{
		{"other/x", `{}`, "not a watch channel"},
		{"watch/a/b/c", `{}`, "want watch/<user>/<tab>"},
		{"watch/!!/t", `{}`, "channel user"},
		{"watch/" + b64.EncodeToString([]byte("alice")) + "/t%20", `{}`, "channel tab"},
		{alice, `not json`, "channel data: want the watch as JSON"},
		{alice, `{"x":1}`, "unknown field"},
		{alice, `{"key":"a"}`, "channel data cluster"},
		{alice, `{"cluster":"c1"}`, "channel data key"},
		{alice, `{"cluster":"c1","key":"a","start_revision":-1}`, "start_revision"},
		{alice, `{"cluster":"c1","key":"` + strings.Repeat("k", 20<<10) + `"}`, "longer than"},
	} {
		if _, err := parseWatchChannel(tc.path, []byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.40s %.40s: %v, want an error with %q", tc.path, tc.data, err, tc.want)
		}
	}
	if _, err := parseWatchChannel(channelOf("alice", "t", watchSpec{Cluster: "c1", Key: "/a"})); err != nil {
		t.Errorf("good channel: %v", err)
	}
}
