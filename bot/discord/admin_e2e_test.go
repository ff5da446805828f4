package discord

// End-to-end tests of feedback and /faq-admin: the real discordgo client
// against the fake Discord, recording into a real (in-memory SQLite) store.

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
	"github.com/avnbot/avnbot/store"
)

// newStore is an in-memory SQLite store, closed with the test.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// click dispatches a vote button with customID, clicked by user, and
// returns the reply.
func (h *harness) click(t *testing.T, customID, user string) wireResponse {
	t.Helper()
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "button_vote",
		"vote:up:session-length:KEY", customID, "1500000000000000001", user))
	_, resp := h.callback(t)
	return resp
}

func TestE2EFeedbackAndStats(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	h := startBot(t, func(s *setup) { s.cfg.Store = st })
	h.ready(t)

	// A question, answered with 👍/👎 under the answer.
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild"))
	_, resp := h.callback(t)
	ids := customIDs(resp.Data)
	key := AnswerKey("1100000000000000002")
	up, down := "vote:up:session-length:"+key, "vote:down:session-length:"+key
	if !has(ids, up) || !has(ids, down) || !has(ids, "share:session-length") {
		t.Fatalf("buttons %v lack %s, %s and share:session-length", ids, up, down)
	}
	for _, id := range ids {
		if strings.Contains(id, "1500000000000000001") {
			t.Errorf("custom id %q carries the user id", id)
		}
	}

	const pat, sam = "1500000000000000001", "1500000000000000002"
	for _, c := range []struct {
		id, user, want string
	}{
		{up, pat, voteThanks},
		{up, pat, voteRepeated}, // the same user again: refused
		{down, sam, voteThanks}, // another user's 👎
	} {
		r := h.click(t, c.id, c.user)
		if r.Type != 4 || r.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.HasPrefix(r.Data.Content, c.want) {
			t.Errorf("%s by %s: reply %+v, want a private %q", c.id, c.user, r.Data, c.want)
		}
	}

	// /faq-admin stats shows them.
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "admin_stats"))
	_, resp = h.callback(t)
	if resp.Data.Flags != discordgo.MessageFlagsEphemeral || len(resp.Data.Embeds) != 1 {
		t.Fatalf("stats = %+v, want one private embed", resp.Data)
	}
	e := resp.Data.Embeds[0]
	fields := map[string]string{}
	for _, f := range e.Fields {
		fields[f.Name] = f.Value
	}
	if fields["Questions"] != "1" || !strings.HasPrefix(fields["Answered"], "1 (100%)") {
		t.Errorf("stats fields = %v, want 1 question, 1 answered", fields)
	}
	if !strings.Contains(e.Description, "`session-length` 👍 1 👎 1") {
		t.Errorf("stats description = %q, want session-length 👍 1 👎 1", e.Description)
	}

	// A member without Manage Server is refused, whatever the payload claims.
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "admin_stats", `"permissions": "2248473465835105"`, `"permissions": "2248473465835073"`))
	_, resp = h.callback(t)
	if len(resp.Data.Embeds) != 0 || !strings.Contains(resp.Data.Content, "moderators") {
		t.Errorf("non-moderator got %+v, want a refusal", resp.Data)
	}
	if !strings.Contains(h.logs.String(), "faq-admin refused") {
		t.Errorf("refusal not logged")
	}
}

func TestE2ECommandPermissions(t *testing.T) {
	t.Parallel()
	h := startBot(t)
	req := h.wait(t, "PUT", "/applications/{app}/guilds/{guild}/commands")
	discordtest.Validate(t, req)
	var cmds []map[string]any
	if err := req.JSON(&cmds); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		if c["name"] != CmdAdmin {
			if _, ok := c["default_member_permissions"]; ok {
				t.Errorf("/%s has default_member_permissions %v", c["name"], c["default_member_permissions"])
			}
			continue
		}
		if got := c["default_member_permissions"]; got != "32" {
			t.Errorf("default_member_permissions = %#v, want \"32\" (MANAGE_GUILD, as a string)", got)
		}
		if got := c["dm_permission"]; got != false {
			t.Errorf("dm_permission = %#v, want false", got)
		}
		if ctx, _ := c["contexts"].([]any); len(ctx) != 1 || ctx[0] != 0.0 {
			t.Errorf("contexts = %v, want [0] (servers only)", c["contexts"])
		}
		return
	}
	t.Errorf("no /%s registered", CmdAdmin)
}

// TestE2EUnansweredSwitch: a question the bot cannot answer is recorded,
// redacted, only when RecordUnanswered is on; its outcome always.
func TestE2EUnansweredSwitch(t *testing.T) {
	t.Parallel()
	const asked = "Does medicare pay for it? Call me on 0161 496 0000 or jo@example.com"
	for _, on := range []bool{false, true} {
		st := newStore(t)
		h := startBot(t, func(s *setup) { s.cfg.Store, s.cfg.RecordUnanswered = st, on })
		h.ready(t)
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild", "How long does a focused shockwave session take?", asked))
		_, resp := h.callback(t)
		if len(customIDs(resp.Data)) > 0 && strings.HasPrefix(customIDs(resp.Data)[0], VotePrefix) {
			t.Errorf("an abstention has vote buttons: %v", customIDs(resp.Data))
		}
		h.traced(t)
		stats, err := st.Stats(context.Background(), testGuild, time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if stats.Questions != 1 || stats.Answered != 0 {
			t.Errorf("on=%v: stats %+v, want 1 question, not answered", on, stats)
		}
		groups, err := st.Unanswered(context.Background(), testGuild, time.Now().Add(-time.Hour), 0)
		if err != nil {
			t.Fatal(err)
		}
		if !on {
			if len(groups) != 0 {
				t.Errorf("recorded %+v with RecordUnanswered off", groups)
			}
			continue
		}
		if len(groups) != 1 {
			t.Fatalf("on: groups = %+v, want 1", groups)
		}
		ex := groups[0].Example
		if strings.ContainsAny(ex, "0123456789") || strings.Contains(ex, "jo@example.com") || !strings.Contains(ex, "medicare") {
			t.Errorf("recorded %q: want it redacted and kept", ex)
		}

		// The moderator sees it and marks it covered with its button.
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "admin_stats", `{"name": "stats", "type": 1, "options": [{"name": "days", "type": 4, "value": 7}]}`,
			`{"name": "unanswered", "type": 1}`))
		_, resp = h.callback(t)
		if len(resp.Data.Embeds) != 1 || !strings.Contains(resp.Data.Embeds[0].Description, "medicare") {
			t.Fatalf("unanswered = %+v, want the question listed", resp.Data)
		}
		var cover string
		for _, id := range customIDs(resp.Data) {
			if strings.HasPrefix(id, AdminPrefix+"cover:") {
				cover = id
			}
		}
		if cover == "" {
			t.Fatalf("no cover button in %v", customIDs(resp.Data))
		}
		h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "button_vote", "vote:up:session-length:KEY", cover,
			`"permissions": "0"`, `"permissions": "32"`))
		_, resp = h.callback(t)
		if !strings.Contains(resp.Data.Content, "Marked 1 question") || !strings.Contains(resp.Data.Embeds[0].Description, "No open unanswered") {
			t.Errorf("after cover: %+v", resp.Data)
		}
	}
}

// slowReloader takes d to reload, as rebuilding the index does.
type slowReloader struct {
	d time.Duration
	r ReloadResult
}

func (s slowReloader) Reload(ctx context.Context) ReloadResult {
	select {
	case <-time.After(s.d):
	case <-ctx.Done():
	}
	return s.r
}

// TestE2ESlowReloadDefers: a reload longer than Discord's deadline is
// deferred privately and its report edited in.
func TestE2ESlowReloadDefers(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(s *setup) {
		s.cfg.Reloader = slowReloader{300 * time.Millisecond, ReloadResult{Added: []string{"cost"}, Summary: "reloaded v2 (was v1)"}}
		s.gw.DeferAfter = 50 * time.Millisecond
	})
	h.ready(t)
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "admin_stats", `{"name": "stats", "type": 1, "options": [{"name": "days", "type": 4, "value": 7}]}`,
		`{"name": "reload", "type": 1}`))
	_, ack := h.callback(t)
	if ack.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || ack.Data == nil || ack.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("ack = %+v, want a private defer", ack)
	}
	edit := h.wait(t, "PATCH", originalPath)
	discordtest.Validate(t, edit)
	var d wireMessage
	if err := edit.JSON(&d); err != nil {
		t.Fatal(err)
	}
	if len(d.Embeds) != 1 || d.Embeds[0].Title != "Reloaded" || !strings.Contains(d.Embeds[0].Description, "`cost`") {
		t.Errorf("edited reply = %s", edit.Body)
	}
}

// TestE2EAdminOverHTTP: on the HTTP interactions endpoint too (replicas
// with no gateway), /faq-admin is checked against the signed payload's
// member permissions, and a vote is counted once.
func TestE2EAdminOverHTTP(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(t)
	srv := httptest.NewServer(NewEndpoint(NewHandler(sharedAssistant(t), Config{AskPrivate: true, Store: st}, nil), pub, nil))
	t.Cleanup(srv.Close)
	post := func(body json.RawMessage) wireResponse {
		t.Helper()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/interactions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		discordtest.Validate(t, discordtest.Request{Method: "POST", Path: "/api/v9/interactions/1/token/callback",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: b})
		var r wireResponse
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := post(gwPayload(t, "admin_stats", `"permissions": "2248473465835105"`, `"permissions": "0"`, `"id": "1100000000000000020"`, `"id": "1100000000000000029"`)); !strings.Contains(r.Data.Content, "moderators") {
		t.Errorf("non-moderator over HTTP: %+v", r.Data)
	}
	for n, want := range []string{voteThanks, voteRepeated} { // two clicks: two interactions
		vote := gwPayload(t, "button_vote", "vote:up:session-length:KEY", "vote:up:session-length:"+AnswerKey("1100000000000000002"),
			`"id": "1100000000000000021"`, `"id": "110000000000000003`+strconv.Itoa(n)+`"`)
		if r := post(vote); !strings.HasPrefix(r.Data.Content, want) {
			t.Errorf("vote: %q, want %q", r.Data.Content, want)
		}
	}
	r := post(gwPayload(t, "admin_stats"))
	if len(r.Data.Embeds) != 1 || !strings.Contains(r.Data.Embeds[0].Description, "`session-length` 👍 1 👎 0") {
		t.Errorf("stats over HTTP: %+v", r.Data)
	}
}
