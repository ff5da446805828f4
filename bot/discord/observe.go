package discord

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/avnbot/avnbot/bot"
)

// Observer is told what operators count; *metrics.Metrics has it. It is
// given no ids and no text: questions by kind, refused requests by reason.
// Its methods must be safe for concurrent use.
type Observer interface {
	// Question: one question asked, of kind answered, no_match, off_topic,
	// urgent, crisis or error, and how long the assistant took.
	Question(kind string, took time.Duration)
	// Rejected: the HTTP endpoint refused a request, for reason
	// bad_signature, stale, replay, too_large or bad_json.
	Rejected(reason string)
	RateLimitWait() // Discord answered 429 and the bot waits to retry
	Reconnect()     // the gateway connection was lost; reconnecting
	Resume()        // a gateway session resumed
	Zombie()        // a gateway connection stopped acknowledging heartbeats
	StartRetry()    // command registration retried at start-up
	Deferred()      // an interaction got a deferred response
	Panic()         // a handler panicked
}

type noObserver struct{}

func (noObserver) Question(string, time.Duration) {}
func (noObserver) Rejected(string)                {}
func (noObserver) RateLimitWait()                 {}
func (noObserver) Reconnect()                     {}
func (noObserver) Resume()                        {}
func (noObserver) Zombie()                        {}
func (noObserver) StartRetry()                    {}
func (noObserver) Deferred()                      {}
func (noObserver) Panic()                         {}

func observer(o Observer) Observer {
	if o == nil {
		return noObserver{}
	}
	return o
}

// questionKind is the kind an answer is counted as: red flags first.
func questionKind(a bot.Answer, err error) string {
	switch {
	case err != nil:
		return "error"
	case a.Crisis:
		return "crisis"
	case a.Urgent:
		return "urgent"
	}
	return string(a.Kind)
}

// RESTClient is the HTTP client for Discord's REST API: requests go to
// apiBase when set (e.g. "http://127.0.0.1:8080", keeping the path
// /api/v9/...), and through instrument when set (e.g. a metrics transport).
func RESTClient(apiBase string, instrument func(http.RoundTripper) http.RoundTripper) (*http.Client, error) {
	var tr http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if apiBase != "" {
		base, err := url.Parse(apiBase)
		if err != nil || base.Scheme == "" || base.Host == "" {
			return nil, fmt.Errorf("DISCORD_API_BASE=%q: use a base URL such as http://127.0.0.1:8080", apiBase)
		}
		tr = rebase{base: base, next: tr}
	}
	if instrument != nil {
		tr = instrument(tr)
	}
	return &http.Client{Timeout: 20 * time.Second, Transport: tr}, nil
}

// rebase sends every request to base, keeping its path and query (and
// prefixing base's own path, for a proxy mounted below /).
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (rt rebase) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme = rt.base.Scheme
	r.URL.Host = rt.base.Host
	r.URL.Path = strings.TrimSuffix(rt.base.Path, "/") + r.URL.Path
	r.Host = rt.base.Host
	return rt.next.RoundTrip(r)
}
