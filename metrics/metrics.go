// Package metrics is what operators scrape: Prometheus counters and
// histograms for questions, Discord round trips, the gateway, the HTTP
// interactions endpoint and knowledge reloads, all prefixed avnbot_.
//
// No label holds an id or any text from a user: questions are counted by
// kind, Discord requests by route template (ids and tokens replaced), HTTP
// rejections by reason. Metrics registers on the registry it is given, never
// on Prometheus's global default one.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Question kinds, the values of avnbot_questions_total's kind label.
var kinds = []string{"answered", "no_match", "off_topic", "urgent", "crisis", "error"}

// Reasons the HTTP endpoint refuses a request, the values of
// avnbot_http_rejected_total's reason label.
var reasons = []string{"bad_signature", "stale", "replay", "too_large", "bad_json"}

// Metrics holds the bot's metrics. Its methods are safe for concurrent use
// and do nothing on a nil *Metrics.
type Metrics struct {
	questions      *prometheus.CounterVec
	answerSeconds  prometheus.Histogram
	discordSeconds *prometheus.HistogramVec
	rateLimitWaits prometheus.Counter
	reconnects     prometheus.Counter
	resumes        prometheus.Counter
	zombies        prometheus.Counter
	startRetries   prometheus.Counter
	deferred       prometheus.Counter
	panics         prometheus.Counter
	rejected       *prometheus.CounterVec
	reloads        prometheus.Counter
	reloadFailures prometheus.Counter
	knowledge      *prometheus.GaugeVec

	mu      sync.Mutex // orders knowledge version changes
	version string
}

// New creates the metrics and registers them on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "avnbot_questions_total",
			Help: "Questions answered, by kind: answered, no_match, off_topic, urgent, crisis (red flags), error (the search failed).",
		}, []string{"kind"}),
		answerSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "avnbot_answer_duration_seconds",
			Help:    "Time the assistant took to answer a question.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 1.5, 2.5, 5},
		}),
		discordSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "avnbot_discord_request_duration_seconds",
			Help:    "Round trip of REST calls to Discord, by route (ids and tokens replaced) and status class.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "status"}),
		rateLimitWaits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_discord_rate_limit_waits_total",
			Help: "Times Discord answered 429 and the bot waited before retrying.",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_gateway_reconnects_total",
			Help: "Times the gateway connection was lost and the bot reconnected.",
		}),
		resumes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_gateway_resumes_total",
			Help: "Gateway sessions resumed after a reconnection (RESUMED events).",
		}),
		zombies: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_gateway_zombie_connections_total",
			Help: "Gateway connections closed because Discord stopped acknowledging heartbeats.",
		}),
		startRetries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_startup_retries_total",
			Help: "Command registrations retried at start-up because Discord could not be reached.",
		}),
		deferred: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_interactions_deferred_total",
			Help: "Interactions answered with a deferred response (type 5) because the answer was not ready in time.",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_handler_panics_total",
			Help: "Handler panics, each answered with an apology.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "avnbot_http_rejected_total",
			Help: "Requests the HTTP interactions endpoint refused, by reason: bad_signature, stale, replay, too_large, bad_json.",
		}, []string{"reason"}),
		reloads: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_knowledge_reloads_total",
			Help: "Knowledge reloads that took effect.",
		}),
		reloadFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "avnbot_knowledge_reload_failures_total",
			Help: "Knowledge reloads refused (lint problems or load errors); the previous knowledge stays.",
		}),
		knowledge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "avnbot_knowledge_info",
			Help: "The knowledge version being served, as a label; the value is always 1.",
		}, []string{"version"}),
	}
	reg.MustRegister(m.questions, m.answerSeconds, m.discordSeconds, m.rateLimitWaits, m.reconnects, m.resumes,
		m.zombies, m.startRetries, m.deferred, m.panics, m.rejected, m.reloads, m.reloadFailures, m.knowledge)
	// Every series exists from the start, so rate() sees the first event.
	for _, k := range kinds {
		m.questions.WithLabelValues(k)
	}
	for _, r := range reasons {
		m.rejected.WithLabelValues(r)
	}
	return m
}

// Handler serves the metrics gathered by g in Prometheus's text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// Question counts one question of kind (an unknown kind counts as "error")
// and the time the assistant took.
func (m *Metrics) Question(kind string, took time.Duration) {
	if m == nil {
		return
	}
	known := false
	for _, k := range kinds {
		known = known || k == kind
	}
	if !known {
		kind = "error"
	}
	m.questions.WithLabelValues(kind).Inc()
	m.answerSeconds.Observe(took.Seconds())
}

// Rejected counts a request the HTTP endpoint refused; reason is one of
// bad_signature, stale, replay, too_large, bad_json (others are dropped).
func (m *Metrics) Rejected(reason string) {
	if m == nil {
		return
	}
	for _, r := range reasons {
		if r == reason {
			m.rejected.WithLabelValues(reason).Inc()
			return
		}
	}
}

// RateLimitWait counts a 429 the bot waited out.
func (m *Metrics) RateLimitWait() {
	if m != nil {
		m.rateLimitWaits.Inc()
	}
}

// Reconnect counts a gateway reconnection.
func (m *Metrics) Reconnect() {
	if m != nil {
		m.reconnects.Inc()
	}
}

// Resume counts a resumed gateway session.
func (m *Metrics) Resume() {
	if m != nil {
		m.resumes.Inc()
	}
}

// Zombie counts a gateway connection closed for missing heartbeat ACKs.
func (m *Metrics) Zombie() {
	if m != nil {
		m.zombies.Inc()
	}
}

// StartRetry counts a command registration retried at start-up.
func (m *Metrics) StartRetry() {
	if m != nil {
		m.startRetries.Inc()
	}
}

// Deferred counts an interaction answered late through a deferred response.
func (m *Metrics) Deferred() {
	if m != nil {
		m.deferred.Inc()
	}
}

// Panic counts a handler panic.
func (m *Metrics) Panic() {
	if m != nil {
		m.panics.Inc()
	}
}

// ObserveReload records a knowledge reload: when ok, the reload count goes
// up and version becomes the one served; otherwise the failure count goes
// up and the served version stays. The live-reload package calls it.
func (m *Metrics) ObserveReload(ok bool, version string) {
	if m == nil {
		return
	}
	if !ok {
		m.reloadFailures.Inc()
		return
	}
	m.reloads.Inc()
	m.SetKnowledgeVersion(version)
}

// SetKnowledgeVersion sets the knowledge version served (at start-up, or
// after a reload) without counting a reload.
func (m *Metrics) SetKnowledgeVersion(version string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.version == version && version != "" {
		return
	}
	m.knowledge.Reset()
	m.knowledge.WithLabelValues(version).Set(1)
	m.version = version
}

// Transport wraps next so that every request through it is timed in
// avnbot_discord_request_duration_seconds (next nil: http.DefaultTransport).
// Wrap the discordgo session's http.Client transport with it.
func (m *Metrics) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return timed{m: m, next: next}
}

type timed struct {
	m    *Metrics
	next http.RoundTripper
}

func (t timed) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	status := "error"
	if err == nil {
		status = statusClass(resp.StatusCode)
	}
	t.m.discordSeconds.WithLabelValues(Route(r.Method, r.URL.Path), status).Observe(time.Since(start).Seconds())
	return resp, err
}

func statusClass(code int) string {
	if code == http.StatusTooManyRequests {
		return "429"
	}
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code/100) + "xx"
}

// routeWords are the path segments of Discord routes kept as they are; any
// other segment is a snowflake ({id}) or a token or name ({token}), so no
// id, token or text ever becomes a label.
var routeWords = map[string]bool{
	"api": true, "applications": true, "guilds": true, "commands": true, "channels": true, "messages": true,
	"interactions": true, "callback": true, "webhooks": true, "@original": true, "gateway": true, "bot": true,
	"users": true, "@me": true, "v9": true, "v10": true, "reactions": true, "typing": true, "members": true,
}

// Route names a Discord REST request for a label: its method and path with
// every id replaced by {id} and every other unknown segment by {token},
// e.g. "PATCH /webhooks/{id}/{token}/messages/@original".
func Route(method, path string) string {
	path = strings.TrimPrefix(path, "/api")
	if rest, ok := strings.CutPrefix(path, "/v9"); ok {
		path = rest
	} else if rest, ok := strings.CutPrefix(path, "/v10"); ok {
		path = rest
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		switch {
		case s == "" || routeWords[s]:
		case strings.Trim(s, "0123456789") == "":
			segs[i] = "{id}"
		default:
			segs[i] = "{token}"
		}
	}
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		method = "OTHER"
	}
	return method + " /" + strings.Join(segs, "/")
}
