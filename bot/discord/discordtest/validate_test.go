package discordtest

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// needSpec skips a test that is about the OpenAPI part of Check when the
// description is not beside the repository.
func needSpec(t *testing.T) {
	t.Helper()
	if _, err := loadSpec(); errors.Is(err, ErrNoSpec) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
}

func jsonRequest(method, path, body string) Request {
	return Request{Method: method, Path: path, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

// sample reads a body discordgo really sent, kept beside the description.
func sample(t *testing.T, name string) string {
	t.Helper()
	spec, err := findSpec()
	if err != nil {
		t.Skip(err)
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(spec), name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCheck(t *testing.T) {
	t.Parallel()
	needSpec(t)
	const callback = "/api/v9/interactions/400000000000000001/token-1/callback"
	const channel = "/api/v9/channels/800000000000000001/messages"
	none := `"allowed_mentions":{"parse":[]}`
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		req  Request
		want []string // substrings, one per expected problem
	}{
		{"channel message sample", jsonRequest("POST", channel, sample(t, "channel_message.json")), nil},
		// discordgo's sample callback passes the spec and the embed limit
		// but sets no allowed_mentions, which the house rules require.
		{"interaction callback sample", jsonRequest("POST", callback, sample(t, "interaction_callback.json")), []string{"allowed_mentions is missing"}},
		{"callback with allowed_mentions", jsonRequest("POST", callback, `{"type":4,"data":{"content":"hi",`+none+`}}`), nil},
		{"deferred callback", jsonRequest("POST", callback, `{"type":5}`), nil},
		{"5000-character description", jsonRequest("POST", callback, `{"type":4,"data":{"embeds":[{"description":"`+long(5000)+`"}],`+none+`}}`),
			[]string{"OpenAPI"}},
		{"6000 characters over fields", jsonRequest("POST", channel, `{"embeds":[{"title":"`+long(200)+`","description":"`+long(4000)+`",
			"fields":[{"name":"a","value":"`+long(1000)+`"},{"name":"b","value":"`+long(1000)+`"}]}],`+none+`}`),
			[]string{"6202 characters"}},
		{"everyone ping allowed", jsonRequest("POST", channel, `{"content":"@everyone","allowed_mentions":{"parse":["everyone"]}}`),
			[]string{"allows pings"}},
		{"content over 2000", jsonRequest("POST", callback, `{"type":4,"data":{"content":"`+long(2001)+`",`+none+`}}`), []string{"OpenAPI"}},
		{"unknown callback type", jsonRequest("POST", callback, `{"type":42}`), []string{"OpenAPI"}},
		{"get with @me", Request{Method: "GET", Path: "/api/v9/users/@me"}, nil},
		{"route not in the spec", Request{Method: "GET", Path: "/api/v9/no/such/route"}, []string{"no such operation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Check() = %q, want %d problems like %q", got, len(tt.want), tt.want)
			}
			for i, want := range tt.want {
				if !strings.Contains(got[i], want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], want)
				}
			}
		})
	}
}

func TestValidateMultipart(t *testing.T) {
	t.Parallel()
	body := "--b\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n" +
		`{"content":"x","allowed_mentions":{"parse":["users"]}}` + "\r\n--b--\r\n"
	req := Request{Method: "POST", Path: "/api/v9/channels/1/messages", Header: http.Header{"Content-Type": {"multipart/form-data; boundary=b"}}, Body: []byte(body)}
	if got := houseRules(req); len(got) != 1 || !strings.Contains(got[0], "allows pings") {
		t.Errorf("houseRules(multipart) = %q, want the ping problem", got)
	}
}

// TestHouseRules covers the checks that need no OpenAPI description.
func TestHouseRules(t *testing.T) {
	t.Parallel()
	const callback = "/api/v9/interactions/1/token/callback"
	tests := []struct {
		name string
		req  Request
		want int // problems
	}{
		{"safe message", jsonRequest("POST", "/api/v9/channels/1/messages", `{"content":"x","allowed_mentions":{"parse":[]}}`), 0},
		{"null parse list", jsonRequest("POST", "/api/v9/channels/1/messages", `{"content":"x","allowed_mentions":{"parse":null}}`), 0},
		{"no allowed_mentions", jsonRequest("POST", "/api/v9/channels/1/messages", `{"content":"x"}`), 1},
		{"user listed", jsonRequest("PATCH", "/api/v9/webhooks/1/token/messages/@original", `{"allowed_mentions":{"users":["5"]}}`), 1},
		{"reply ping", jsonRequest("POST", "/api/v9/webhooks/1/token", `{"allowed_mentions":{"parse":[],"replied_user":true}}`), 1},
		{"update message", jsonRequest("POST", callback, `{"type":7,"data":{"content":"x"}}`), 1},
		{"modal is no message", jsonRequest("POST", callback, `{"type":9,"data":{"custom_id":"m","title":"t","components":[]}}`), 0},
		{"6001 characters", jsonRequest("POST", "/api/v9/channels/1/messages", `{"embeds":[{"description":"`+strings.Repeat("é", 4000)+`",
			"footer":{"text":"`+strings.Repeat("b", 2000)+`"},"author":{"name":"c"}}],"allowed_mentions":{"parse":[]}}`), 1},
		{"6000 characters", jsonRequest("POST", "/api/v9/channels/1/messages", `{"embeds":[{"description":"`+strings.Repeat("é", 4000)+`"},
			{"footer":{"text":"`+strings.Repeat("b", 2000)+`"}}],"allowed_mentions":{"parse":[]}}`), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := houseRules(tt.req); len(got) != tt.want {
				t.Errorf("houseRules() = %q, want %d problems", got, tt.want)
			}
		})
	}
}

func TestFindSpecAbsent(t *testing.T) {
	t.Parallel()
	if _, err := findSpecFrom(t.TempDir()); !errors.Is(err, ErrNoSpec) {
		t.Errorf("findSpecFrom(empty dir) error = %v, want ErrNoSpec", err)
	}
}
