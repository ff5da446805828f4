// Package discordtest is a fake Discord for end-to-end tests of the bot with
// the real discordgo client: a REST API under /api/v9/ and a websocket
// gateway, both on 127.0.0.1, one per test.
//
// A test starts a fake with New, points a session at it with Transport (or
// uses Session), drives the gateway with Dispatch, Drop, Reconnect,
// InvalidSession and CloseWith, and reads what the bot sent with
// WaitRequest. Validate checks a request body against Discord's OpenAPI
// description and the house rules the description cannot express.
//
// # Fatal close codes in discordgo v0.29
//
// discordgo never returns or emits the gateway close code as data; a bot
// learns it in one of two places:
//
//   - Session.Open returns the *websocket.CloseError unwrapped when the
//     gateway closes during the handshake, which is when Discord sends 4004
//     (authentication failed) and 4014 (disallowed intents). Check it with
//     errors.As(err, &closeErr) and stop; nothing reconnects in this case.
//   - After the handshake, the listen goroutine only logs the read error,
//     at LogWarning ("error reading from gateway %s websocket, %s", with
//     the *websocket.CloseError as the second argument), then calls Close
//     (which emits a Disconnect event without the code) and reconnect,
//     which retries Open forever with backoff 1 s, 2 s ... 600 s. Failed
//     retries are logged at LogError with the CloseError as the argument.
//     The only hook is the package-wide discordgo.Logger with
//     Session.LogLevel >= discordgo.LogWarning: scan its arguments with
//     errors.As. Logger runs synchronously in the listen goroutine before
//     reconnect is entered, so setting Session.ShouldReconnectOnError to
//     false there stops the retry loop (reconnect reads the flag once on
//     entry; once inside, only a successful Open ends it). See
//     TestCloseCodeHook for a working example.
package discordtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// IDs the fake uses for its bot user and application.
const (
	BotUserID     = "100000000000000001"
	ApplicationID = "100000000000000002"
	BotUsername   = "avnbot"
)

// Server is a fake Discord. Its methods are safe for concurrent use.
type Server struct {
	t     testing.TB
	http  *httptest.Server
	opts  options
	gw    gateway
	rest  rest
	close sync.Once
	// skipLog logs once that WithValidation skips the OpenAPI part.
	skipLog sync.Once
}

type options struct {
	heartbeat   time.Duration
	validateAll bool
}

// Option configures a Server.
type Option func(*options)

// WithHeartbeatInterval sets the heartbeat_interval sent in HELLO. The
// default, 45 s, means the client sends one heartbeat at once and no
// other during a typical test.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(o *options) { o.heartbeat = d }
}

// WithValidation makes the server Validate every request it receives and
// report problems with t.Errorf.
func WithValidation() Option {
	return func(o *options) { o.validateAll = true }
}

// New starts a fake Discord on 127.0.0.1 and stops it when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, opts: options{heartbeat: 45 * time.Second}}
	for _, o := range opts {
		o(&s.opts)
	}
	s.gw.init()
	s.rest.init()
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway", s.serveGateway)
	mux.HandleFunc("/gateway/", s.serveGateway) // discordgo adds a slash
	mux.HandleFunc("/api/v9/", s.serveREST)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { notFound(w) })
	s.http = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Close drops every gateway connection and stops the server. New registers
// it with t.Cleanup; calling it earlier is allowed.
func (s *Server) Close() {
	s.close.Do(func() {
		s.gw.closeAll()
		s.http.Close()
	})
}

// URL is the server's http base, e.g. "http://127.0.0.1:PORT"; the REST
// API is under URL()+"/api/v9/".
func (s *Server) URL() string { return s.http.URL }

// GatewayURL is the websocket URL that GET /api/v9/gateway answers.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + "/gateway"
}

// Transport returns a RoundTripper that sends every request to the fake,
// keeping its path and query: set Session.Client to
// &http.Client{Transport: srv.Transport()}.
func (s *Server) Transport() http.RoundTripper {
	base, _ := url.Parse(s.http.URL)
	return roundTripper{base: base, next: s.http.Client().Transport}
}

type roundTripper struct {
	base *url.URL
	next http.RoundTripper
}

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme = rt.base.Scheme
	r.URL.Host = rt.base.Host
	r.Host = rt.base.Host
	return rt.next.RoundTrip(r)
}

// Session returns a discordgo session with token "Bot test-token" whose
// REST calls go to the fake. It is not opened; it is closed when the test
// ends.
func (s *Server) Session(t testing.TB) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot test-token")
	if err != nil {
		t.Fatalf("discordgo.New: %v", err)
	}
	dg.Client = &http.Client{Transport: s.Transport(), Timeout: 10 * time.Second}
	t.Cleanup(func() { dg.Close() })
	return dg
}
