package apidoc

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestToJSONConvertsOrNamesTheProblem(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, wantErr string
	}{
		{name: "mapping", in: "openapi: 3.0.3\npaths: {/x: {get: {operationId: x}}}\n", want: `"operationId": "x"`},
		{name: "not yaml", in: "a: [1,\n", wantErr: "parse yaml:"},
		{name: "non-string key", in: "{1: a, [x]: b}\n", wantErr: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ToJSON([]byte(tc.in))
			switch {
			case tc.name == "non-string key":
				if err == nil {
					t.Fatalf("converted a mapping with a sequence key: %s", out)
				}
			case tc.wantErr != "":
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
			default:
				if err != nil || !json.Valid(out) || !strings.Contains(string(out), tc.want) {
					t.Fatalf("ToJSON: %v\n%s", err, out)
				}
			}
		})
	}
}
