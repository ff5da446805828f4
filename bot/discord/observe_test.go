package discord

import (
	"crypto/ed25519"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/avnbot/avnbot/metrics"
)

// TestE2EMetrics drives questions through the gateway bot and the HTTP
// endpoint against the fake Discord with the real metrics, scrapes
// /metrics, and checks that the counters moved and that no label holds an
// id, a token or a question's text.
func TestE2EMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	const secret = "my secret hip question about sessions"
	h := startBot(t, func(s *setup) {
		s.cfg.Metrics = m
		s.gw.Metrics = m
		s.gw.Instrument = m.Transport
	})
	h.ready(t)
	h.srv.RateLimitNext("POST", callbackPath, 0)
	for _, q := range []string{secret, "How long does a focused shockwave session take?", "I want to end my life", "what's the weather like"} {
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild", "How long does a focused shockwave session take?", q))
		h.traced(t)
	}
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention", "how long does a focused shockwave session take?",
		"I fell and can't get up, my hip looks twisted"))
	h.traced(t)
	if err := h.srv.Drop(); err != nil {
		t.Fatal(err)
	}
	h.ready(t)

	f := newObservedHTTPFixture(t, realAssistant(t), 0, m)
	f.post(t, f.payload(t, "ask_guild"), f.priv)
	f.post(t, f.payload(t, "ask_guild"), ed25519Other(t))

	scrape := httptest.NewServer(metrics.Handler(reg))
	t.Cleanup(scrape.Close)
	get := func() string {
		resp, err := http.Get(scrape.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(body)
	}
	// The gateway's events are handled on goroutines of their own: wait
	// until the reconnection has been counted. Whether discordgo resumes or
	// identifies anew after the drop depends on timing (a loaded machine may
	// also miss a heartbeat and reconnect once more), so the resumes are only
	// required to be exported.
	text := get()
	reconnected := regexp.MustCompile(`(?m)^avnbot_gateway_reconnects_total [1-9][0-9]*$`)
	for deadline := time.Now().Add(10 * time.Second); !reconnected.MatchString(text) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		text = get()
	}
	if !reconnected.MatchString(text) {
		t.Errorf("/metrics lacks avnbot_gateway_reconnects_total of at least 1")
	}
	if !regexp.MustCompile(`(?m)^avnbot_gateway_resumes_total [0-9]+$`).MatchString(text) {
		t.Errorf("/metrics lacks avnbot_gateway_resumes_total")
	}
	for _, want := range []string{
		`avnbot_questions_total{kind="answered"} 2`, // one on the gateway, one over HTTP
		`avnbot_questions_total{kind="crisis"} 1`,
		`avnbot_questions_total{kind="urgent"} 1`,
		`avnbot_answer_duration_seconds_count 6`,
		`avnbot_discord_rate_limit_waits_total 1`,
		`avnbot_http_rejected_total{reason="bad_signature"} 1`,
		`avnbot_discord_request_duration_seconds_count{route="POST /interactions/{id}/{token}/callback",status="2xx"} 4`,
		`avnbot_discord_request_duration_seconds_count{route="POST /interactions/{id}/{token}/callback",status="429"} 1`,
		`avnbot_discord_request_duration_seconds_count{route="PUT /applications/{id}/guilds/{id}/commands",status="2xx"} 1`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	// The secret and the weather: not answered, whichever way.
	if n := value(families, "avnbot_questions_total", "no_match") + value(families, "avnbot_questions_total", "off_topic"); n != 2 {
		t.Errorf("no_match + off_topic = %v, want 2", n)
	}

	// No label value holds an id (a run of digits), a token or text.
	digits := regexp.MustCompile(`[0-9]{5,}`)
	for _, fam := range families {
		if !strings.HasPrefix(fam.GetName(), "avnbot_") {
			t.Errorf("metric %s lacks the avnbot_ prefix", fam.GetName())
		}
		for _, mt := range fam.GetMetric() {
			for _, l := range mt.GetLabel() {
				checkLabel(t, fam, l, digits, secret)
			}
		}
	}
}

func checkLabel(t *testing.T, fam *dto.MetricFamily, l *dto.LabelPair, digits *regexp.Regexp, secret string) {
	t.Helper()
	v := l.GetValue()
	bad := digits.MatchString(v) || strings.Contains(v, "token-") || strings.Contains(v, "test-token")
	for _, w := range strings.Fields(secret) {
		bad = bad || (len(w) > 3 && strings.Contains(strings.ToLower(v), w))
	}
	if bad {
		t.Errorf("%s{%s=%q}: a label holds an id, a token or text", fam.GetName(), l.GetName(), v)
	}
	allowed := map[string]*regexp.Regexp{
		"kind":    regexp.MustCompile(`^(answered|no_match|off_topic|urgent|crisis|error)$`),
		"reason":  regexp.MustCompile(`^(bad_signature|stale|replay|too_large|bad_json)$`),
		"status":  regexp.MustCompile(`^([1-5]xx|429|error|other)$`),
		"route":   regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|OTHER) (/[a-z@{}0-9]+)+$`),
		"version": regexp.MustCompile(`.*`),
	}
	re, ok := allowed[l.GetName()]
	if !ok || !re.MatchString(v) {
		t.Errorf("%s{%s=%q}: unexpected label", fam.GetName(), l.GetName(), v)
	}
}

func ed25519Other(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// value is the counter of family name whose (only) label is label.
func value(families []*dto.MetricFamily, name, label string) float64 {
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if ls := m.GetLabel(); len(ls) == 1 && ls[0].GetValue() == label {
				return m.GetCounter().GetValue()
			}
		}
	}
	return -1
}
