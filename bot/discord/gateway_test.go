package discord

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
)

// buckets counts discordgo's rate-limit buckets (an unexported map).
func buckets(s *discordgo.Session) int {
	s.Ratelimiter.Lock()
	defer s.Ratelimiter.Unlock()
	return reflect.ValueOf(s.Ratelimiter).Elem().FieldByName("buckets").Len()
}

// TestDiscordgoBucketPerInteraction records upstream #1333, the reason for
// webhookClient: answering through discordgo keeps a bucket per interaction.
// If this fails after a discordgo upgrade, the leak may be fixed upstream.
func TestDiscordgoBucketPerInteraction(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := srv.Session(t)
	const n = 200
	before := buckets(s)
	for i := range n {
		it := &discordgo.Interaction{ID: strconv.Itoa(i), Token: "token-" + strconv.Itoa(i)}
		if err := s.InteractionRespond(it, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}); err != nil {
			t.Fatal(err)
		}
	}
	if got := buckets(s) - before; got < n {
		t.Errorf("discordgo kept %d buckets for %d interactions; the leak this package works around may be gone", got, n)
	}
}

// TestBucketsFlat: the bot answers many interactions and discordgo's
// buckets do not grow.
func TestBucketsFlat(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	h.ready(t)
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "faq_command"))
	h.wait(t, "POST", callbackPath)
	before := buckets(h.bot.s)
	for range 200 {
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "faq_command"))
		h.wait(t, "POST", callbackPath)
	}
	if after := buckets(h.bot.s); after != before {
		t.Errorf("buckets %d after 200 interactions, %d before: want no growth", after, before)
	}
}

func TestFatalCloseErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		code int
		want string
	}{
		{4004, "4004 (Authentication failed.): authentication failed: DISCORD_TOKEN"},
		{4010, "SHARD_ID"},
		{4011, "SHARD_COUNT"},
		{4014, "4014 (Authentication failed.): disallowed intents"},
		{4999, "opcodes-and-status-codes"},
	} {
		got := (&FatalCloseError{Code: tc.code, Text: "Authentication failed."}).Error()
		if !strings.Contains(got, tc.want) {
			t.Errorf("%d: %q lacks %q", tc.code, got, tc.want)
		}
	}
}

func TestPrivatePrediction(t *testing.T) {
	b := NewBot(nil, GatewayConfig{AskPrivate: true}, nil)
	pub := NewBot(nil, GatewayConfig{AskPrivate: false}, nil)
	for _, tc := range []struct {
		name            string
		private, public bool // with AskPrivate true, false
	}{
		{"ask_guild", true, false},
		{"ask_dm_public", false, false},
		{"faq_command", true, false},
		{"about_command", true, true},
		{"button_faq", true, true},
		{"button_share", false, false},
	} {
		i := interaction(t, tc.name)
		if got := b.private(i); got != tc.private {
			t.Errorf("%s: private = %v, want %v", tc.name, got, tc.private)
		}
		if got := pub.private(i); got != tc.public {
			t.Errorf("%s (public default): private = %v, want %v", tc.name, got, tc.public)
		}
	}
}

// TestPrivateMatchesHandler: the prediction agrees with what the Handler
// answers, for every interaction in testdata.
func TestPrivateMatchesHandler(t *testing.T) {
	for _, askPrivate := range []bool{true, false} {
		h := NewHandler(realAssistant(t), Config{AskPrivate: askPrivate}, nil)
		b := NewBot(h, GatewayConfig{AskPrivate: askPrivate}, nil)
		for _, name := range []string{"ask_guild", "ask_dm_public", "faq_command", "about_command", "button_faq", "button_share"} {
			i := interaction(t, name)
			resp := h.Interaction(context.Background(), i)
			got := resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0
			if want := b.private(i); got != want {
				t.Errorf("AskPrivate %v, %s: handler ephemeral = %v, bot predicted %v", askPrivate, name, got, want)
			}
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header http.Header
		body   string
		want   time.Duration
	}{
		{"body", http.Header{"X-Ratelimit-Reset-After": {"9"}}, `{"retry_after": 0.25}`, 250 * time.Millisecond},
		{"reset-after header", http.Header{"X-Ratelimit-Reset-After": {"1.5"}}, ``, 1500 * time.Millisecond},
		{"retry-after header", http.Header{"Retry-After": {"2"}}, `<html>`, 2 * time.Second},
		{"nothing", http.Header{}, ``, time.Second},
		{"capped", http.Header{}, `{"retry_after": 3600}`, maxRetryWait},
	} {
		if got := retryAfter(tc.header, []byte(tc.body)); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestWebhookClientGivesUp: retries stop after maxAttempts, and 4xx errors
// are not retried; errors never show the interaction token.
func TestWebhookClientGivesUp(t *testing.T) {
	t.Parallel()
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if strings.Contains(r.URL.Path, "limited") {
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"retry_after": 0.01}`))
			return
		}
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message": "Unknown interaction", "code": 10062}`))
	}))
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	c := &webhookClient{client: &http.Client{Transport: rebase{base: base, next: http.DefaultTransport}}, log: slog.New(slog.DiscardHandler)}
	err := c.callback(context.Background(), &discordgo.Interaction{ID: "1", Token: "limited-secret"}, &discordgo.InteractionResponse{Type: 1})
	if err == nil || calls != maxAttempts {
		t.Errorf("429 forever: err %v after %d calls, want an error after %d", err, calls, maxAttempts)
	}
	calls = 0
	err = c.callback(context.Background(), &discordgo.Interaction{ID: "1", Token: "gone-secret"}, &discordgo.InteractionResponse{Type: 1})
	if err == nil || calls != 1 || !strings.Contains(err.Error(), "10062") {
		t.Errorf("404: err %v after %d calls, want 10062 after 1", err, calls)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestRebase(t *testing.T) {
	var got string
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r.URL.String() + " host=" + r.Host
		return nil, errors.New("stop")
	})
	base, _ := url.Parse("http://proxy.internal:8080/discord/")
	req, _ := http.NewRequest("GET", discordgo.EndpointGateway, nil)
	rebase{base: base, next: next}.RoundTrip(req)
	if want := "http://proxy.internal:8080/discord/api/v9/gateway host=proxy.internal:8080"; got != want {
		t.Errorf("rebased to %q, want %q", got, want)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRunConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  GatewayConfig
		want string
	}{
		{GatewayConfig{AppID: "1"}, "no bot token"},
		{GatewayConfig{Token: "t"}, "no application id"},
		{GatewayConfig{Token: "t", AppID: "1", APIBase: "127.0.0.1:80"}, "DISCORD_API_BASE"},
	} {
		err := NewBot(nil, tc.cfg, nil).Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: Run = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestRegisterFails: a rejected token stops Run before it connects, with
// what to fix.
func TestRegisterFails(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message": "401: Unauthorized", "code": 0}`))
	}))
	t.Cleanup(srv.Close)
	err := NewBot(nil, GatewayConfig{Token: "t", AppID: "1", APIBase: srv.URL}, nil).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "register commands") || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Errorf("Run = %v, want a registration error naming DISCORD_TOKEN", err)
	}
}
