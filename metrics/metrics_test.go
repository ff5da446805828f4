package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRoute(t *testing.T) {
	token := "aW50ZXJhY3Rpb246MTEwMDAwMDAwMDAwMDAwMDAwMjpUb2tlbg" + strings.Repeat("x", 150)
	for _, tc := range []struct{ method, path, want string }{
		{"POST", "/api/v9/interactions/1100000000000000002/" + token + "/callback", "POST /interactions/{id}/{token}/callback"},
		{"PATCH", "/api/v9/webhooks/1000000000000000001/" + token + "/messages/@original", "PATCH /webhooks/{id}/{token}/messages/@original"},
		{"POST", "/api/v9/webhooks/1000000000000000001/" + token, "POST /webhooks/{id}/{token}"},
		{"POST", "/api/v9/channels/1400000000000000001/messages", "POST /channels/{id}/messages"},
		{"PUT", "/api/v9/applications/1/guilds/2/commands", "PUT /applications/{id}/guilds/{id}/commands"},
		{"GET", "/api/v9/gateway", "GET /gateway"},
		{"GET", "/api/v10/users/@me", "GET /users/@me"},
		{"GET", "/api/v9/guilds/1/members/search?query=pat", "GET /guilds/{id}/members/{token}"},
		{"PROPFIND", "/hello", "OTHER /{token}"},
	} {
		if got := Route(tc.method, tc.path); got != tc.want {
			t.Errorf("Route(%s %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	m.Question("answered", 20*time.Millisecond)
	m.Question("crisis", time.Millisecond)
	m.Question("something else", time.Millisecond)
	m.Rejected("bad_signature")
	m.Rejected("free text never becomes a label")
	m.SetKnowledgeVersion("v1")
	m.ObserveReload(false, "broken")
	m.ObserveReload(true, "v2")
	for _, c := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.questions.WithLabelValues("answered"), 1},
		{m.questions.WithLabelValues("crisis"), 1},
		{m.questions.WithLabelValues("error"), 1},
		{m.rejected.WithLabelValues("bad_signature"), 1},
		{m.reloads, 1},
		{m.reloadFailures, 1},
		{m.knowledge.WithLabelValues("v2"), 1},
	} {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%v = %v, want %v", c.c, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.knowledge); n != 1 {
		t.Errorf("%d knowledge versions, want only the one served", n)
	}
	if n := testutil.CollectAndCount(m.rejected); n != len(reasons) {
		t.Errorf("%d rejection series, want %d", n, len(reasons))
	}

	// Every REST call through the transport is timed by route.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }))
	defer srv.Close()
	client := &http.Client{Transport: m.Transport(nil)}
	resp, err := client.Post(srv.URL+"/api/v9/channels/123456789/messages", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := testutil.CollectAndCount(m.discordSeconds); n != 1 {
		t.Errorf("%d round-trip series, want 1", n)
	}
	h := httptest.NewRecorder()
	Handler(reg).ServeHTTP(h, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(h.Result().Body)
	if !strings.Contains(string(body), `avnbot_discord_request_duration_seconds_count{route="POST /channels/{id}/messages",status="429"} 1`) {
		t.Errorf("scrape lacks the round trip:\n%s", body)
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	m.Question("answered", 0)
	m.Rejected("stale")
	m.Zombie()
	m.ObserveReload(true, "v")
	if m.Transport(http.DefaultTransport) != http.DefaultTransport {
		t.Error("a nil *Metrics wraps the transport")
	}
}
