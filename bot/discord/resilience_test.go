package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
)

// counts is an Observer that counts what it is told.
type counts struct {
	mu sync.Mutex
	n  map[string]int
	at map[string]time.Time // when each was last told
}

func (c *counts) add(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n, c.at = map[string]int{}, map[string]time.Time{}
	}
	c.n[k]++
	c.at[k] = time.Now()
}

func (c *counts) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

func (c *counts) when(k string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at[k]
}

func (c *counts) Question(kind string, _ time.Duration) { c.add("question:" + kind) }
func (c *counts) Rejected(reason string)                { c.add("rejected:" + reason) }
func (c *counts) RateLimitWait()                        { c.add("rate_limit_wait") }
func (c *counts) Reconnect()                            { c.add("reconnect") }
func (c *counts) Resume()                               { c.add("resume") }
func (c *counts) Zombie()                               { c.add("zombie") }
func (c *counts) StartRetry()                           { c.add("start_retry") }
func (c *counts) Deferred()                             { c.add("deferred") }
func (c *counts) Panic()                                { c.add("panic") }

// httpFixture is a signed-request poster for an Endpoint served over a real
// connection, with its follow-ups going to a fake Discord.
type httpFixture struct {
	srv  *discordtest.Server
	e    *Endpoint
	http *httptest.Server
	priv ed25519.PrivateKey
	obs  *counts
	logs *syncBuffer
}

func newHTTPFixture(t testing.TB, a Assistant, deferAfter time.Duration) *httpFixture {
	t.Helper()
	return newObservedHTTPFixture(t, a, deferAfter, nil)
}

// newObservedHTTPFixture is newHTTPFixture telling obs, not a *counts.
func newObservedHTTPFixture(t testing.TB, a Assistant, deferAfter time.Duration, obs Observer) *httpFixture {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &httpFixture{srv: discordtest.New(t), priv: priv, obs: &counts{}, logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := RESTClient(f.srv.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if obs == nil {
		obs = f.obs
	}
	f.e = NewEndpoint(NewHandler(a, Config{AskPrivate: true, Metrics: obs}, log), pub, log)
	f.e.DeferAfter = deferAfter
	f.e.Client = client
	f.e.Metrics = obs
	f.http = httptest.NewServer(f.e)
	t.Cleanup(func() {
		f.http.Close()
		f.e.Wait(context.Background())
	})
	return f
}

var interactionSeq atomic.Int64

// payload is testdata/name.json as the fake's application sends it, with a
// new interaction id and token.
func (f *httpFixture) payload(t testing.TB, name string, edit ...string) []byte {
	t.Helper()
	id := strconv.FormatInt(1100000000000100000+interactionSeq.Add(1), 10)
	return []byte(gwPayload(t, name, append([]string{`"id": "1100000000000000002"`, `"id": "` + id + `"`}, edit...)...))
}

func (f *httpFixture) post(t testing.TB, body []byte, key ed25519.PrivateKey) (int, []byte) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, f.http.URL+"/interactions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
	resp, err := f.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func decodeResponse(t *testing.T, body []byte) wireResponse {
	t.Helper()
	discordtest.Validate(t, discordtest.Request{Method: "POST", Path: "/api/v9/interactions/1100000000000000002/token/callback",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
	var r wireResponse
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("response: %v\n%s", err, body)
	}
	return r
}

// TestEndpointDefers: an answer not ready within DeferAfter gets a deferred
// response at once, and the answer is edited in through the webhook API of
// the fake Discord; a fast one is answered directly.
func TestEndpointDefers(t *testing.T) {
	t.Parallel()
	f := newHTTPFixture(t, slow{realAssistant(t), 600 * time.Millisecond}, 50*time.Millisecond)
	for _, tc := range []struct {
		name      string
		ephemeral bool
		share     bool
	}{
		{"ask_guild", true, true},
		{"ask_dm_public", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.post(t, f.payload(t, tc.name), f.priv)
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			ack := decodeResponse(t, body)
			if ack.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
				t.Fatalf("type = %d, want 5 (deferred)", ack.Type)
			}
			if got := ack.Data != nil && ack.Data.Flags == discordgo.MessageFlagsEphemeral; got != tc.ephemeral {
				t.Errorf("deferred ephemeral = %v, want %v", got, tc.ephemeral)
			}
			edit, err := f.srv.WaitRequest(testCtx(t), "PATCH", originalPath)
			if err != nil {
				t.Fatal(err)
			}
			discordtest.Validate(t, edit)
			if !strings.Contains(edit.Path, "/webhooks/"+discordtest.ApplicationID+"/token-"+tc.name+"-") {
				t.Errorf("edit path %s is not this interaction's", edit.Path)
			}
			var d wireMessage
			if err := edit.JSON(&d); err != nil {
				t.Fatal(err)
			}
			if len(d.Embeds) == 0 {
				t.Errorf("edit has no answer: %s", edit.Body)
			}
			if got := has(customIDs(&d), "share:session-length"); got != tc.share {
				t.Errorf("share button = %v, want %v", got, tc.share)
			}
		})
	}
	if got := f.obs.get("deferred"); got != 2 {
		t.Errorf("deferred count = %d, want 2", got)
	}

	t.Run("fast answers directly", func(t *testing.T) {
		g := newHTTPFixture(t, realAssistant(t), time.Minute)
		code, body := g.post(t, g.payload(t, "ask_guild"), g.priv)
		if r := decodeResponse(t, body); code != 200 || r.Type != discordgo.InteractionResponseChannelMessageWithSource {
			t.Errorf("fast answer: %d type %d, want 200 type 4", code, r.Type)
		}
		if n := len(g.srv.Requests()); n != 0 {
			t.Errorf("%d REST calls for a direct answer, want 0", n)
		}
	})
	t.Run("autocomplete is never deferred", func(t *testing.T) {
		code, body := f.post(t, f.payload(t, "faq_autocomplete"), f.priv)
		if r := decodeResponse(t, body); code != 200 || r.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Errorf("autocomplete: %d type %d, want 200 type 8", code, r.Type)
		}
	})
}

// TestEndpointPanic: a panic in the handler gets the same private apology
// as on the gateway, and the endpoint keeps answering.
func TestEndpointPanic(t *testing.T) {
	t.Parallel()
	f := newHTTPFixture(t, panicky{realAssistant(t)}, time.Minute)
	code, body := f.post(t, f.payload(t, "ask_guild"), f.priv)
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	r := decodeResponse(t, body)
	want := sorry()
	if r.Type != 4 || r.Data == nil || r.Data.Content != want.Data.Content || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("response = %s, want the private apology", body)
	}
	if code, body := f.post(t, f.payload(t, "faq_command"), f.priv); code != 200 || decodeResponse(t, body).Type != 4 {
		t.Errorf("after a panic: %d %s", code, body)
	}
	if f.obs.get("panic") != 1 || !strings.Contains(f.logs.String(), "panicked") {
		t.Errorf("panic not counted (%d) or not logged", f.obs.get("panic"))
	}
}

// TestEndpointRejectLogs: a flood of bad requests writes O(1) log lines, one
// per interval and reason, each saying how many it stands for; every one is
// counted.
func TestEndpointRejectLogs(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	var logs bytes.Buffer
	obs := &counts{}
	e := NewEndpoint(newTestHandler(t), s.pub, slog.New(slog.NewTextHandler(&logs, nil)))
	clock := s.now
	e.Now = func() time.Time { return clock }
	e.Metrics = obs
	ping := fixture(t, "ping")
	bad := func() {
		r := s.request(ping, clock)
		r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(other, append([]byte(r.Header.Get("X-Signature-Timestamp")), ping...))))
		if w := serve(e, r); w.Code != http.StatusUnauthorized {
			t.Fatalf("bad signature: %d", w.Code)
		}
	}
	lines := func() []string { return strings.Split(strings.TrimSpace(logs.String()), "\n") }
	const n = 2000
	for range n {
		bad()
	}
	if got := lines(); len(got) != 1 {
		t.Fatalf("%d bad requests wrote %d lines, want 1:\n%s", n, len(got), strings.Join(got[:min(len(got), 5)], "\n"))
	}
	// Within the interval: still one line. After it: one more, with the count.
	clock = clock.Add(RejectLogEvery - time.Second)
	bad()
	clock = clock.Add(time.Second)
	bad()
	got := lines()
	if len(got) != 2 || !strings.Contains(got[1], "suppressed="+strconv.Itoa(n)) {
		t.Errorf("after the interval: %q, want a second line with suppressed=%d", got, n)
	}
	if c := obs.get("rejected:bad_signature"); c != n+2 {
		t.Errorf("counted %d bad signatures, want %d", c, n+2)
	}
	// Another reason has its own line.
	if w := serve(e, s.request(ping, clock.Add(-time.Hour))); w.Code != http.StatusUnauthorized {
		t.Fatalf("stale request: %d", w.Code)
	}
	if got := lines(); len(got) != 3 || !strings.Contains(got[2], "replay window") {
		t.Errorf("stale request: %q", got)
	}
}

// TestEndpointReplay: the same signed interaction is answered once; a
// different id signed at the same time is answered.
func TestEndpointReplay(t *testing.T) {
	t.Parallel()
	s := newSigner(t)
	obs := &counts{}
	e := newTestEndpoint(t, s)
	e.Metrics = obs
	body := fixture(t, "faq_command")
	if w := serve(e, s.request(body, s.now)); w.Code != http.StatusOK {
		t.Fatalf("first: %d %s", w.Code, w.Body)
	}
	for _, at := range []time.Time{s.now, s.now.Add(time.Minute)} {
		if w := serve(e, s.request(body, at)); w.Code != http.StatusUnauthorized {
			t.Errorf("replay signed at %v: %d, want 401", at, w.Code)
		}
	}
	other := bytes.Replace(body, []byte(`"id": "1100000000000000005"`), []byte(`"id": "1100000000000000006"`), 1)
	if bytes.Equal(other, body) {
		t.Fatal("fixture id not found")
	}
	if w := serve(e, s.request(other, s.now)); w.Code != http.StatusOK {
		t.Errorf("another interaction: %d", w.Code)
	}
	if got := obs.get("rejected:replay"); got != 2 {
		t.Errorf("replays counted %d, want 2", got)
	}
}

func TestSeen(t *testing.T) {
	t0 := time.Unix(0, 0)
	s := newSeen(time.Minute, 3)
	for _, tc := range []struct {
		id   string
		at   time.Duration
		want bool
	}{
		{"a", 0, true},
		{"a", 30 * time.Second, false},
		{"b", 40 * time.Second, true},
		{"a", 61 * time.Second, true}, // expired: new again
		{"c", 62 * time.Second, true},
		{"d", 63 * time.Second, true}, // over the bound: b is forgotten early
		{"b", 64 * time.Second, true},
		{"d", 65 * time.Second, false},
	} {
		if got := s.add(tc.id, t0.Add(tc.at)); got != tc.want {
			t.Errorf("add(%s) at %v = %v, want %v", tc.id, tc.at, got, tc.want)
		}
	}
	if len(s.ids) > 3 || s.order.Len() != len(s.ids) {
		t.Errorf("%d ids, %d in order; bound 3", len(s.ids), s.order.Len())
	}
}

// flaky forwards to next after refusing the first n connections (closed
// without an answer, as when Discord cannot be reached).
func flaky(t *testing.T, next string, n int) string {
	t.Helper()
	target, _ := url.Parse(next)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= int64(n) {
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRegisterRetries: while Discord cannot be reached at start-up, command
// registration retries with backoff; then the bot registers and connects.
func TestRegisterRetries(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	obs := &counts{}
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	b := NewBot(NewHandler(realAssistant(t), Config{}, nil), GatewayConfig{Token: "t", AppID: discordtest.ApplicationID,
		APIBase: flaky(t, srv.URL(), 3), Metrics: obs}, log)
	b.retryAfter = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	if _, err := srv.WaitRequest(testCtx(t), "PUT", "/applications/{app}/commands"); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitReady(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	// discordgo itself retries nothing on a closed connection: each refusal
	// is one of ours.
	if got := obs.get("start_retry"); got != 3 {
		t.Errorf("retries = %d, want 3", got)
	}
	if got := strings.Count(logs.String(), "retrying"); got != 3 {
		t.Errorf("%d retry lines, want 3:\n%s", got, logs.String())
	}
}

// TestRegisterGivesUpOnRefusal: an answer retrying cannot change ends Run.
func TestUnreachable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&url.Error{Op: "Put", URL: "x", Err: &net.OpError{Op: "dial", Err: fmt.Errorf("connection refused")}}, true},
		{&discordgo.RESTError{Response: &http.Response{StatusCode: 503}}, true},
		{&discordgo.RESTError{Response: &http.Response{StatusCode: 401}}, false},
		{&discordgo.RESTError{Response: &http.Response{StatusCode: 404}}, false},
	} {
		if got := unreachable(tc.err); got != tc.want {
			t.Errorf("unreachable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestE2EZombie: a connection that stops acknowledging heartbeats is
// closed by the bot's watchdog within two intervals, not by discordgo's
// own check after five, and the session resumes on a new connection.
func TestE2EZombie(t *testing.T) {
	t.Parallel()
	const beat = 400 * time.Millisecond
	for _, watch := range []bool{true, false} {
		t.Run(map[bool]string{true: "watchdog", false: "discordgo alone"}[watch], func(t *testing.T) {
			t.Parallel()
			obs := &counts{}
			h := startBot(t, func(s *setup) {
				s.srvOpts = []discordtest.Option{discordtest.WithHeartbeatInterval(beat)}
				s.gw.Metrics = obs
				s.tune = func(b *Bot) {
					b.watch, b.minBeat = 10*time.Millisecond, beat/2
					if !watch {
						b.watch = -1
					}
				}
			})
			h.ready(t)
			time.Sleep(3 * beat) // a few ACKs, for the watchdog to learn the interval
			if err := h.srv.StopAcks(); err != nil {
				t.Fatal(err)
			}
			stopped := time.Now()
			ctx := testCtx(t)
			for h.srv.Connections() < 2 {
				select {
				case <-ctx.Done():
					t.Fatal("the bot kept the zombie connection")
				case <-time.After(5 * time.Millisecond):
				}
			}
			took := time.Since(stopped)
			h.ready(t)
			// discordgo's Close sleeps 1 s before the new connection.
			t.Logf("new connection %.1f heartbeat intervals after the ACKs stopped, of which %.1f in Close's sleep",
				took.Seconds()/beat.Seconds(), time.Second.Seconds()/beat.Seconds())
			if watch {
				t.Logf("watchdog noticed %.1f intervals after the ACKs stopped", obs.when("zombie").Sub(stopped).Seconds()/beat.Seconds())
			}
			zombies := 0
			if watch {
				zombies = 1
			}
			if got := obs.get("zombie"); got != zombies {
				t.Errorf("watchdog closed %d connections, want %d", got, zombies)
			}
			if h.srv.Resumes() != 1 {
				t.Errorf("resumes = %d, want 1", h.srv.Resumes())
			}
			h.answered(t)
			if watch && obs.get("resume") != 1 {
				t.Errorf("resume counted %d times, want 1", obs.get("resume"))
			}
		})
	}
}

// TestE2EWatchdogReconnect: the gap across a reconnection (at least the
// second discordgo's Close sleeps) is not taken for the heartbeat interval,
// which would close every new connection as a zombie.
func TestE2EWatchdogReconnect(t *testing.T) {
	t.Parallel()
	const beat = 3 * time.Second
	obs := &counts{}
	h := startBot(t, func(s *setup) {
		s.srvOpts = []discordtest.Option{discordtest.WithHeartbeatInterval(beat)}
		s.gw.Metrics = obs
		s.tune = func(b *Bot) { b.watch, b.minBeat = 10*time.Millisecond, 500*time.Millisecond }
	})
	h.ready(t)
	if err := h.srv.Drop(); err != nil {
		t.Fatal(err)
	}
	h.ready(t)
	time.Sleep(beat * 3 / 4) // longer than 1.5 × the gap across the reconnection
	if got := obs.get("zombie"); got != 0 {
		t.Errorf("watchdog closed %d healthy connections", got)
	}
	if got := h.srv.Connections(); got != 2 {
		t.Errorf("connections = %d, want 2", got)
	}
	h.answered(t)
}
