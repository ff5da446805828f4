package discord

// End-to-end tests: the real discordgo client, driven by Bot, against the
// fake Discord of package discordtest, answering with the real assistant
// on the embedded knowledge. Every body the bot sends is validated against
// Discord's OpenAPI description (skipped with a message when absent) and
// the house rules (6000-character embed total, no pings).

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/bot/discord/discordtest"
	"github.com/avnbot/avnbot/knowledge"
)

const (
	testGuild    = "1300000000000000001"
	callbackPath = "/interactions/{id}/{token}/callback"
	originalPath = "/webhooks/{app}/{token}/messages/@original"
)

// traced is an event the bot finished.
type traced struct {
	event   string
	replied bool
}

// harness is a running Bot connected to its own fake Discord.
type harness struct {
	srv    *discordtest.Server
	bot    *Bot
	cancel context.CancelFunc
	errc   chan error
	done   chan traced
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type setup struct {
	a       Assistant
	cfg     Config
	gw      GatewayConfig
	srvOpts []discordtest.Option
	before  func(*discordtest.Server) // before the bot starts
	tune    func(*Bot)                // before it runs
	// alerts, when set, makes Config.Alerts post to this fake's channel.
	alertChannel, alertRole string
	// infoLogs logs at the default level (info) instead of debug.
	infoLogs bool
}

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startBot runs a Bot against a new fake and waits until it is READY.
func startBot(t testing.TB, opt ...func(*setup)) *harness {
	t.Helper()
	st := setup{cfg: Config{AskPrivate: true}, gw: GatewayConfig{AppID: discordtest.ApplicationID, GuildID: testGuild, AskPrivate: true}}
	for _, o := range opt {
		o(&st)
	}
	if st.a == nil {
		st.a = sharedAssistant(t)
	}
	return run(t, st)
}

// sharedAssistant is the real assistant on the embedded knowledge, built
// once, for tests and benchmarks alike.
func sharedAssistant(tb testing.TB) *bot.Assistant {
	tb.Helper()
	assistantOnce.Do(func() {
		kb, err := knowledge.Embedded()
		if err != nil {
			assistantErr = err
			return
		}
		assistant, assistantErr = bot.New(kb, 0)
	})
	if assistantErr != nil {
		tb.Fatalf("assistant: %v", assistantErr)
	}
	return assistant
}

func run(t testing.TB, st setup) *harness {
	t.Helper()
	srv := discordtest.New(t, st.srvOpts...)
	if st.before != nil {
		st.before(srv)
	}
	logs := &syncBuffer{}
	level := slog.LevelDebug
	if st.infoLogs {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level}))
	st.gw.Token = "test-token"
	st.gw.APIBase = srv.URL()
	if st.alertChannel != "" {
		alerts, err := NewAlerts(st.gw.Token, srv.URL(), st.alertChannel, st.alertRole, log)
		if err != nil {
			t.Fatal(err)
		}
		st.cfg.Alerts = alerts
		t.Cleanup(alerts.Wait)
	}
	b := NewBot(NewHandler(st.a, st.cfg, log), st.gw, log)
	if st.tune != nil {
		st.tune(b)
	}
	h := &harness{srv: srv, bot: b, errc: make(chan error, 1), done: make(chan traced, 100), logs: logs}
	b.trace = func(event string, replied bool) {
		select {
		case h.done <- traced{event, replied}:
		default: // a benchmark does not read them
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.errc <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-h.errc:
			if err != nil {
				t.Errorf("Run after cancel: %v", err)
			}
			h.errc <- err
		case <-time.After(30 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
	return h
}

func (h *harness) ready(t testing.TB) {
	t.Helper()
	if err := h.srv.WaitReady(testCtx(t)); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
}

// gwPayload reads testdata/name.json as the fake's application would send
// it: its application and bot ids, and a unique interaction token.
func gwPayload(t testing.TB, name string, edit ...string) json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(raw), botID, discordtest.BotUserID)
	s = strings.ReplaceAll(s, `"application_id": "`+discordtest.BotUserID+`"`, `"application_id": "`+discordtest.ApplicationID+`"`)
	s = strings.ReplaceAll(s, "INTERACTION_TOKEN", "token-"+name+"-"+strconv.FormatInt(tokenSeq.Add(1), 10))
	if len(edit) > 0 {
		s = strings.NewReplacer(edit...).Replace(s)
	}
	if !json.Valid([]byte(s)) {
		t.Fatalf("%s: edited payload is not JSON", name)
	}
	return json.RawMessage(s)
}

var tokenSeq atomic.Int64

func (h *harness) dispatch(t testing.TB, event string, data any) {
	t.Helper()
	if err := h.srv.Dispatch(event, data); err != nil {
		t.Fatalf("Dispatch %s: %v", event, err)
	}
}

func (h *harness) wait(t testing.TB, method, path string) discordtest.Request {
	t.Helper()
	req, err := h.srv.WaitRequest(testCtx(t), method, path)
	if err != nil {
		t.Fatalf("waiting for %s %s: %v", method, path, err)
	}
	return req
}

// traced waits for the bot to finish an event.
func (h *harness) traced(t testing.TB) traced {
	t.Helper()
	select {
	case tr := <-h.done:
		return tr
	case <-testCtx(t).Done():
		t.Fatal("the bot did not finish the event")
	}
	return traced{}
}

// callback waits for an interaction callback, validates it and decodes it.
func (h *harness) callback(t *testing.T) (discordtest.Request, wireResponse) {
	t.Helper()
	req := h.wait(t, "POST", callbackPath)
	discordtest.Validate(t, req)
	var resp wireResponse
	if err := req.JSON(&resp); err != nil {
		t.Fatalf("callback body: %v\n%s", err, req.Body)
	}
	if req.Status != 204 {
		t.Errorf("callback status = %d, want 204", req.Status)
	}
	return req, resp
}

// wireMessage is a message body as sent; discordgo cannot decode its
// components into the MessageComponent interface.
type wireMessage struct {
	Content    string                                      `json:"content"`
	Flags      discordgo.MessageFlags                      `json:"flags"`
	Embeds     []*discordgo.MessageEmbed                   `json:"embeds"`
	Choices    []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	Reference  *discordgo.MessageReference                 `json:"message_reference"`
	Components []struct {
		Components []struct {
			CustomID string `json:"custom_id"`
		} `json:"components"`
	} `json:"components"`
}

type wireResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data *wireMessage                      `json:"data"`
}

func customIDs(d *wireMessage) []string {
	if d == nil {
		return nil
	}
	var ids []string
	for _, row := range d.Components {
		for _, c := range row.Components {
			ids = append(ids, c.CustomID)
		}
	}
	return ids
}

func TestE2EReadyAndCommands(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	h.ready(t)
	req := h.wait(t, "PUT", "/applications/{app}/guilds/{guild}/commands")
	discordtest.Validate(t, req)
	if got, want := req.Path, "/api/v9/applications/"+discordtest.ApplicationID+"/guilds/"+testGuild+"/commands"; got != want {
		t.Errorf("registration path = %q, want %q", got, want)
	}
	var cmds []discordgo.ApplicationCommand
	if err := req.JSON(&cmds); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	if got, want := strings.Join(names, ","), "ask,faq,about,faq-admin"; got != want {
		t.Errorf("registered %s, want %s", got, want)
	}
	ids := h.srv.IdentifyPayloads()
	if len(ids) != 1 {
		t.Fatalf("IDENTIFY payloads = %d, want 1", len(ids))
	}
	if got, want := ids[0].Intents, int(Intents); got != want {
		t.Errorf("intents = %d, want %d", got, want)
	}
	if ids[0].Intents&int(discordgo.IntentMessageContent) != 0 {
		t.Errorf("intents %d include the privileged message-content intent", ids[0].Intents)
	}
	if ids[0].Token != "Bot test-token" {
		t.Errorf("IDENTIFY token = %q, want the bot token with its prefix", ids[0].Token)
	}
}

func TestE2EGlobalCommands(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(s *setup) { s.gw.GuildID = "" })
	req := h.wait(t, "PUT", "/applications/{app}/commands")
	discordtest.Validate(t, req)
}

// TestE2EShard: the shard goes into IDENTIFY, and only shard 0 registers
// the commands.
func TestE2EShard(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(s *setup) { s.gw.ShardID, s.gw.ShardCount = 1, 2 })
	h.ready(t)
	ids := h.srv.IdentifyPayloads()
	if len(ids) != 1 || ids[0].Shard == nil || *ids[0].Shard != [2]int{1, 2} {
		t.Fatalf("IDENTIFY = %+v, want shard [1, 2]", ids)
	}
	h.answered(t)
	for _, r := range h.srv.Requests() {
		if strings.Contains(r.Path, "/commands") {
			t.Errorf("shard 1 registered commands: %s %s", r.Method, r.Path)
		}
	}
}

func TestE2EInteractions(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	h.ready(t)

	t.Run("ask private by default", func(t *testing.T) {
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild"))
		req, resp := h.callback(t)
		if !strings.Contains(req.Path, "/token-ask_guild-") {
			t.Errorf("callback path %s is not for the interaction's token", req.Path)
		}
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
			t.Fatalf("type = %d, want 4", resp.Type)
		}
		if resp.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("flags = %d, want 64 (ephemeral)", resp.Data.Flags)
		}
		if !has(customIDs(resp.Data), "share:session-length") {
			t.Errorf("buttons %v lack share:session-length", customIDs(resp.Data))
		}
	})
	t.Run("ask public in a DM", func(t *testing.T) {
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_dm_public"))
		_, resp := h.callback(t)
		if resp.Data.Flags != 0 {
			t.Errorf("flags = %d, want 0", resp.Data.Flags)
		}
		if has(customIDs(resp.Data), "share:session-length") {
			t.Errorf("public answer has a Share button")
		}
	})
	t.Run("faq", func(t *testing.T) {
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "faq_command"))
		_, resp := h.callback(t)
		if resp.Type != 4 || len(resp.Data.Embeds) == 0 {
			t.Fatalf("response = %+v, want a message with embeds", resp)
		}
	})
	t.Run("about", func(t *testing.T) {
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "about_command"))
		_, resp := h.callback(t)
		if resp.Type != 4 || resp.Data.Flags != discordgo.MessageFlagsEphemeral || len(resp.Data.Embeds) == 0 {
			t.Fatalf("about = %+v, want an ephemeral message with an embed", resp)
		}
	})
	t.Run("autocomplete", func(t *testing.T) {
		for _, typed := range []string{"sess", "", "pain after"} {
			h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "faq_autocomplete", `"value": "sess"`, `"value": `+strconv.Quote(typed)))
			_, resp := h.callback(t)
			if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
				t.Fatalf("type = %d, want 8", resp.Type)
			}
			n := len(resp.Data.Choices)
			if n == 0 || n > MaxChoices {
				t.Errorf("%q: %d choices, want 1..%d", typed, n, MaxChoices)
			}
			for _, c := range resp.Data.Choices {
				if Len(c.Name) > MaxChoiceName || Len(c.Name) == 0 {
					t.Errorf("%q: choice name of %d characters: %q", typed, Len(c.Name), c.Name)
				}
			}
		}
	})
	t.Run("related-topic button", func(t *testing.T) {
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "button_faq"))
		_, resp := h.callback(t)
		if resp.Type != 4 || resp.Data.Flags != discordgo.MessageFlagsEphemeral || len(resp.Data.Embeds) == 0 {
			t.Fatalf("faq button = %+v, want an ephemeral answer", resp)
		}
	})
	t.Run("share", func(t *testing.T) {
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "button_share"))
		_, resp := h.callback(t)
		if resp.Type != 4 || resp.Data.Flags != 0 || len(resp.Data.Embeds) == 0 {
			t.Fatalf("share = %+v, want a public answer", resp)
		}
		if !strings.Contains(resp.Data.Content, "shared this answer") {
			t.Errorf("share content = %q", resp.Data.Content)
		}
	})
}

func TestE2EMessages(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	h.ready(t)

	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention"))
	req := h.wait(t, "POST", "/channels/{channel}/messages")
	discordtest.Validate(t, req)
	var m wireMessage
	if err := req.JSON(&m); err != nil {
		t.Fatal(err)
	}
	if m.Reference == nil || m.Reference.MessageID != "1700000000000000001" {
		t.Errorf("reply reference = %+v, want message 1700000000000000001", m.Reference)
	}
	if len(m.Embeds) == 0 {
		t.Errorf("reply has no embed")
	}
	if tr := h.traced(t); tr != (traced{"message", true}) {
		t.Errorf("traced %+v", tr)
	}

	// In a server without a mention: nothing is sent.
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention",
		`"mentions": [{"id": "`+discordtest.BotUserID+`", "username": "avnbot", "discriminator": "0", "bot": true}]`, `"mentions": []`,
		`<@`+discordtest.BotUserID+`> `, ``))
	if tr := h.traced(t); tr != (traced{"message", false}) {
		t.Errorf("message without a mention: traced %+v, want no reply", tr)
	}

	// In a DM, no mention needed.
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention",
		`"guild_id": "1300000000000000001",`, ``, `"channel_id": "1400000000000000001"`, `"channel_id": "1400000000000000009"`,
		`"mentions": [{"id": "`+discordtest.BotUserID+`", "username": "avnbot", "discriminator": "0", "bot": true}]`, `"mentions": []`,
		`<@`+discordtest.BotUserID+`> `, ``))
	req = h.wait(t, "POST", "/channels/{channel}/messages")
	discordtest.Validate(t, req)
	if got, want := req.Path, "/api/v9/channels/1400000000000000009/messages"; got != want {
		t.Errorf("DM reply path = %q, want %q", got, want)
	}
	if tr := h.traced(t); tr != (traced{"message", true}) {
		t.Errorf("DM: traced %+v", tr)
	}

	// Its own messages: ignored.
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention",
		`"author": {"id": "1500000000000000001", "username": "patient", "discriminator": "0", "global_name": "Pat"}`,
		`"author": {"id": "`+discordtest.BotUserID+`", "username": "avnbot", "discriminator": "0", "bot": true}`))
	if tr := h.traced(t); tr != (traced{"message", false}) {
		t.Errorf("own message: traced %+v, want no reply", tr)
	}
	var sent int
	for _, r := range h.srv.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") {
			sent++
		}
	}
	if sent != 2 {
		t.Errorf("%d messages sent, want 2 (the mention and the DM)", sent)
	}
}

// slow makes the assistant take d for every question and entry.
type slow struct {
	Assistant
	d time.Duration
}

func (s slow) Ask(q string) (bot.Answer, error) {
	if q != "" { // NewHandler asks "" once for the advice
		time.Sleep(s.d)
	}
	return s.Assistant.Ask(q)
}

func (s slow) Show(id string) (bot.Answer, bool) {
	time.Sleep(s.d)
	return s.Assistant.Show(id)
}

// panicky panics on every question.
type panicky struct{ Assistant }

func (p panicky) Ask(q string) (bot.Answer, error) {
	if q != "" {
		panic("boom")
	}
	return p.Assistant.Ask(q)
}

// TestE2EHandlerPanic: a panic answers that one user with an apology and
// the bot keeps running.
func TestE2EHandlerPanic(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(s *setup) { s.a = panicky{sharedAssistant(t)} })
	h.ready(t)
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild"))
	_, resp := h.callback(t)
	if resp.Type != 4 || !strings.Contains(resp.Data.Content, "went wrong") || resp.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("response = %+v, want a private apology", resp)
	}
	if tr := h.traced(t); tr != (traced{"interaction", true}) {
		t.Errorf("interaction: traced %+v", tr)
	}
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention"))
	if tr := h.traced(t); tr != (traced{"message", false}) {
		t.Errorf("message: traced %+v, want no reply", tr)
	}
	h.answered(t) // /faq does not ask: still answered
	if !strings.Contains(h.logs.String(), "panicked") {
		t.Errorf("panic not logged")
	}
}

// signal tells when the assistant starts showing an entry.
type signal struct {
	slow
	started chan struct{}
}

func (s signal) Show(id string) (bot.Answer, bool) {
	select {
	case s.started <- struct{}{}:
	default:
	}
	return s.slow.Show(id)
}

func TestE2EDeadline(t *testing.T) {
	t.Parallel()
	t.Run("fast answers directly", func(t *testing.T) {
		t.Parallel()
		h := startBot(t, func(s *setup) {
			s.a = slow{realAssistant(t), 20 * time.Millisecond}
			s.gw.DeferAfter = 2 * time.Second
		})
		h.ready(t)
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild"))
		_, resp := h.callback(t)
		if resp.Type != discordgo.InteractionResponseChannelMessageWithSource {
			t.Errorf("type = %d, want 4 (no defer)", resp.Type)
		}
		h.traced(t)
		for _, r := range h.srv.Requests() {
			if strings.Contains(r.Path, "/webhooks/") {
				t.Errorf("unexpected %s %s", r.Method, r.Path)
			}
		}
	})
	t.Run("slow defers and edits", func(t *testing.T) {
		t.Parallel()
		h := startBot(t, func(s *setup) {
			s.a = slow{realAssistant(t), 400 * time.Millisecond}
			s.gw.DeferAfter = 50 * time.Millisecond
		})
		h.ready(t)
		for _, tc := range []struct {
			name      string
			ephemeral bool
			share     bool
		}{
			{"ask_guild", true, true},
			{"ask_dm_public", false, false},
			{"button_share", false, false},
		} {
			h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, tc.name))
			_, ack := h.callback(t)
			if ack.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
				t.Fatalf("%s: first response type = %d, want 5", tc.name, ack.Type)
			}
			if got := ack.Data != nil && ack.Data.Flags == discordgo.MessageFlagsEphemeral; got != tc.ephemeral {
				t.Errorf("%s: deferred ephemeral = %v, want %v", tc.name, got, tc.ephemeral)
			}
			edit := h.wait(t, "PATCH", originalPath)
			discordtest.Validate(t, edit)
			if !strings.Contains(edit.Path, "/webhooks/"+discordtest.ApplicationID+"/token-"+tc.name+"-") {
				t.Errorf("%s: edit path %s", tc.name, edit.Path)
			}
			var d wireMessage
			if err := edit.JSON(&d); err != nil {
				t.Fatal(err)
			}
			if len(d.Embeds) == 0 {
				t.Errorf("%s: edit has no embeds: %s", tc.name, edit.Body)
			}
			if got := has(customIDs(&d), "share:session-length"); got != tc.share {
				t.Errorf("%s: share button = %v, want %v", tc.name, got, tc.share)
			}
			h.traced(t)
		}
	})
	t.Run("private note after a public defer", func(t *testing.T) {
		t.Parallel()
		h := startBot(t, func(s *setup) {
			s.a = slow{realAssistant(t), 200 * time.Millisecond}
			s.gw.DeferAfter = 20 * time.Millisecond
		})
		h.ready(t)
		// Share an entry that is not in the FAQ: a private note.
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "button_share", "share:session-length", "share:no-such-entry"))
		_, ack := h.callback(t)
		if ack.Type != 5 || (ack.Data != nil && ack.Data.Flags != 0) {
			t.Fatalf("ack = %+v, want a public defer", ack)
		}
		follow := h.wait(t, "POST", "/webhooks/{app}/{token}")
		discordtest.Validate(t, follow)
		var p wireMessage
		if err := follow.JSON(&p); err != nil {
			t.Fatal(err)
		}
		if p.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("followup flags = %d, want 64", p.Flags)
		}
		del := h.wait(t, "DELETE", originalPath)
		if del.Status != 204 {
			t.Errorf("delete status %d", del.Status)
		}
	})
}

func TestE2ERateLimit(t *testing.T) {
	t.Parallel()
	const wait = 300 * time.Millisecond
	h := startBot(t)
	h.ready(t)
	t.Run("interaction callback", func(t *testing.T) {
		h.srv.RateLimitNext("POST", callbackPath, wait)
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild"))
		first := h.wait(t, "POST", callbackPath)
		at := time.Now()
		if first.Status != 429 {
			t.Fatalf("first callback status = %d, want 429", first.Status)
		}
		req, _ := h.callback(t)
		if gap := time.Since(at); gap < wait-50*time.Millisecond {
			t.Errorf("retried after %v, want at least retry_after %v", gap, wait)
		}
		if !bytes.Equal(req.Body, first.Body) {
			t.Errorf("retry body differs from the first")
		}
		if tr := h.traced(t); !tr.replied {
			t.Errorf("traced %+v, want replied", tr)
		}
	})
	t.Run("channel message (discordgo)", func(t *testing.T) {
		h.srv.RateLimitNext("POST", "/channels/{channel}/messages", wait)
		h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention"))
		first := h.wait(t, "POST", "/channels/{channel}/messages")
		at := time.Now()
		if first.Status != 429 {
			t.Fatalf("first status = %d, want 429", first.Status)
		}
		req := h.wait(t, "POST", "/channels/{channel}/messages")
		if gap := time.Since(at); gap < wait-50*time.Millisecond {
			t.Errorf("retried after %v, want at least %v", gap, wait)
		}
		if req.Status != 200 {
			t.Errorf("retry status = %d", req.Status)
		}
		if tr := h.traced(t); !tr.replied {
			t.Errorf("traced %+v, want replied", tr)
		}
	})
}

// answered checks that the bot still answers after a reconnection.
func (h *harness) answered(t *testing.T) {
	t.Helper()
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "faq_command"))
	h.callback(t)
}

func TestE2EReconnect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                       string
		do                         func(*discordtest.Server) error
		identifies, resumes, conns int
	}{
		{"drop resumes", (*discordtest.Server).Drop, 1, 1, 2},
		{"op 7 resumes", (*discordtest.Server).Reconnect, 1, 1, 2},
		{"op 9 identifies", func(s *discordtest.Server) error { return s.InvalidSession(false) }, 2, 0, 1},
		{"close 4000 resumes", func(s *discordtest.Server) error { return s.CloseWith(4000, "Unknown error.") }, 1, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := startBot(t)
			h.ready(t)
			if err := tc.do(h.srv); err != nil {
				t.Fatal(err)
			}
			h.ready(t)
			got := [3]int{h.srv.Identifies(), h.srv.Resumes(), h.srv.Connections()}
			if want := [3]int{tc.identifies, tc.resumes, tc.conns}; got != want {
				t.Errorf("identifies, resumes, connections = %v, want %v", got, want)
			}
			if tc.resumes > 0 && h.srv.ResumePayloads()[0].SessionID != "session-1" {
				t.Errorf("RESUME = %+v, want session-1", h.srv.ResumePayloads()[0])
			}
			h.answered(t)
		})
	}
}

func TestE2EFatalClose(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		code   int
		reason string
		after  bool // after READY
		want   string
	}{
		{"bad token at start", 4004, "Authentication failed.", false, "DISCORD_TOKEN"},
		{"disallowed intents", 4014, "Disallowed intent(s).", false, "disallowed intents"},
		{"token reset while running", 4004, "Authentication failed.", true, "DISCORD_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := setup{a: realAssistant(t), gw: GatewayConfig{AppID: discordtest.ApplicationID}}
			if !tc.after {
				st.before = func(s *discordtest.Server) { s.RejectIdentify(tc.code, tc.reason) }
			}
			srv := discordtest.New(t)
			if st.before != nil {
				st.before(srv)
			}
			b := NewBot(NewHandler(st.a, st.cfg, nil), GatewayConfig{Token: "bad", AppID: discordtest.ApplicationID, APIBase: srv.URL()}, nil)
			errc := make(chan error, 1)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() { errc <- b.Run(ctx) }()
			if tc.after {
				if err := srv.WaitReady(testCtx(t)); err != nil {
					t.Fatal(err)
				}
				// Discord refuses the resume too when the token is reset.
				srv.RejectIdentify(tc.code, tc.reason)
				if err := srv.CloseWith(tc.code, tc.reason); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			select {
			case err = <-errc:
			case <-time.After(20 * time.Second):
				t.Fatal("Run did not stop on a fatal close code")
			}
			var fe *FatalCloseError
			if !errors.As(err, &fe) || fe.Code != tc.code {
				t.Fatalf("Run = %v, want a *FatalCloseError %d", err, tc.code)
			}
			if msg := err.Error(); !strings.Contains(msg, strconv.Itoa(tc.code)) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not say %d and %q", msg, tc.code, tc.want)
			}
			if strings.Contains(err.Error(), "Bot bad") {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

func TestE2EShutdownFinishesReplies(t *testing.T) {
	t.Parallel()
	working := make(chan struct{}, 1)
	h := startBot(t, func(s *setup) {
		s.a = signal{slow{realAssistant(t), 2500 * time.Millisecond}, working} // longer than Close's 1 s sleep
		s.gw.DeferAfter = 10 * time.Second
	})
	h.ready(t)
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "faq_command"))
	// Shut down while the handler works.
	select {
	case <-working:
	case <-testCtx(t).Done():
		t.Fatal("the handler did not start")
	}
	h.cancel()
	var err error
	select {
	case err = <-h.errc:
		h.errc <- err
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not return")
	}
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	var callbacks int
	for _, r := range h.srv.Requests() {
		if strings.HasSuffix(r.Path, "/callback") && r.Status == 204 {
			callbacks++
		}
	}
	if callbacks != 1 {
		t.Errorf("%d callbacks when Run returned, want 1: the reply in flight must finish", callbacks)
	}
	// Events after the shutdown are not taken.
	if err := h.srv.Dispatch("INTERACTION_CREATE", gwPayload(t, "faq_command")); err == nil {
		time.Sleep(100 * time.Millisecond)
	}
	select {
	case tr := <-h.done:
		if tr.event != "interaction" {
			t.Errorf("traced %+v", tr)
		}
	default:
		t.Errorf("the in-flight interaction was not traced")
	}
}

func TestE2ELogs(t *testing.T) {
	t.Parallel()
	const secret = "my secret hip question about sessions"
	h := startBot(t)
	h.ready(t)
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild", "How long does a focused shockwave session take?", secret))
	h.callback(t)
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention", "how long does a focused shockwave session take?", secret))
	h.wait(t, "POST", "/channels/{channel}/messages")
	h.traced(t)
	h.traced(t)
	logs := h.logs.String()
	for _, bad := range []string{secret, "test-token", "token-ask_guild"} {
		if strings.Contains(logs, bad) {
			t.Errorf("logs contain %q:\n%s", bad, logs)
		}
	}
	for _, want := range []string{"discord ready", "commands registered", "msg=answered"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// TestE2EHTTPEndpoint posts signed interactions to the HTTP interactions
// endpoint over a real connection, as Discord does, and validates each
// response body as the interaction callback it stands for.
func TestE2EHTTPEndpoint(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	srv := httptest.NewServer(NewEndpoint(NewHandler(sharedAssistant(t), Config{AskPrivate: true}, nil), pub, nil))
	t.Cleanup(srv.Close)

	post := func(t *testing.T, body []byte, key ed25519.PrivateKey, at time.Time) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/interactions", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		ts := strconv.FormatInt(at.Unix(), 10)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Signature-Timestamp", ts)
		if key != nil {
			req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	// validate checks a response body as the callback Discord takes it for.
	validate := func(t *testing.T, body []byte) wireResponse {
		t.Helper()
		discordtest.Validate(t, discordtest.Request{Method: "POST", Path: "/api/v9/interactions/1100000000000000002/token/callback",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
		var r wireResponse
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("response: %v\n%s", err, body)
		}
		return r
	}
	now := time.Now()
	ask := []byte(gwPayload(t, "ask_guild"))

	t.Run("ping", func(t *testing.T) {
		code, body := post(t, []byte(gwPayload(t, "ping")), priv, now)
		if code != 200 || strings.TrimSpace(string(body)) != `{"type":1}` {
			t.Errorf("PING = %d %s, want 200 {\"type\":1}", code, body)
		}
	})
	t.Run("good signature", func(t *testing.T) {
		code, body := post(t, ask, priv, now)
		if code != 200 {
			t.Fatalf("status %d: %s", code, body)
		}
		r := validate(t, body)
		if r.Type != 4 || r.Data == nil || r.Data.Flags != discordgo.MessageFlagsEphemeral || !has(customIDs(r.Data), "share:session-length") {
			t.Errorf("response = %s, want a private answer with a Share button", body)
		}
	})
	t.Run("autocomplete", func(t *testing.T) {
		code, body := post(t, []byte(gwPayload(t, "faq_autocomplete")), priv, now)
		if r := validate(t, body); code != 200 || r.Type != 8 || len(r.Data.Choices) == 0 {
			t.Errorf("autocomplete = %d %s", code, body)
		}
	})
	for _, tc := range []struct {
		name string
		key  ed25519.PrivateKey
		at   time.Time
		body []byte
	}{
		{"missing signature", nil, now, ask},
		{"bad signature", otherPriv, now, ask},
		{"tampered body", priv, now, nil},
		{"old timestamp", priv, now.Add(-ReplayWindow - time.Minute), ask},
		{"future timestamp", priv, now.Add(ReplayWindow + time.Minute), ask},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body == nil { // signed, then changed on the way
				key := tc.key
				ts := strconv.FormatInt(tc.at.Unix(), 10)
				sig := ed25519.Sign(key, append([]byte(ts), ask...))
				req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(bytes.Replace(ask, []byte("session"), []byte("sessoin"), 1)))
				req.Header.Set("X-Signature-Timestamp", ts)
				req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", resp.StatusCode)
				}
				return
			}
			if code, b := post(t, body, tc.key, tc.at); code != http.StatusUnauthorized {
				t.Errorf("status %d (%s), want 401", code, b)
			}
		})
	}
	t.Run("oversized body", func(t *testing.T) {
		big := append([]byte(`{"type":2,"pad":"`), bytes.Repeat([]byte("x"), MaxInteractionBody)...)
		big = append(big, `"}`...)
		if code, _ := post(t, big, priv, now); code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413", code)
		}
	})
}
