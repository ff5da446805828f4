package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot"
)

const botID = "1000000000000000001"

var (
	assistantOnce sync.Once
	assistant     *bot.Assistant
	assistantErr  error
)

// realAssistant is the real assistant on the embedded knowledge, built once.
func realAssistant(t *testing.T) *bot.Assistant { return sharedAssistant(t) }

// recorder records the questions asked of the real assistant.
type recorder struct {
	Assistant
	mu   sync.Mutex
	asks []string
}

func (r *recorder) Ask(q string) (bot.Answer, error) {
	r.mu.Lock()
	r.asks = append(r.asks, q)
	r.mu.Unlock()
	return r.Assistant.Ask(q)
}

// clock is a settable time for the cooldown.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }
func testConfig(c *clock) Config {
	return Config{AskPrivate: true, Cooldown: 3 * time.Second, Burst: 3, Now: c.now}
}
func newTestHandler(t *testing.T) *Handler {
	return NewHandler(realAssistant(t), testConfig(newClock()), nil)
}

// interaction reads testdata/name.json, with edit applied to its raw JSON.
func interaction(t *testing.T, name string, edit ...string) *discordgo.Interaction {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(edit) > 0 {
		raw = []byte(strings.NewReplacer(edit...).Replace(string(raw)))
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(raw, &i); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &i
}

// buttons lists the custom ids of the buttons of a response.
func buttons(d *discordgo.InteractionResponseData) []string {
	var ids []string
	for _, c := range d.Components {
		if row, ok := c.(discordgo.ActionsRow); ok {
			for _, b := range row.Components {
				if b, ok := b.(discordgo.Button); ok {
					ids = append(ids, b.CustomID)
				}
			}
		}
	}
	return ids
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestPing(t *testing.T) {
	r := newTestHandler(t).Interaction(context.Background(), interaction(t, "ping"))
	if got, _ := json.Marshal(r); string(got) != `{"type":1}` {
		t.Errorf("ping response = %s, want {\"type\":1}", got)
	}
}

func TestAskPrivateByDefault(t *testing.T) {
	h := newTestHandler(t)
	r := h.Interaction(context.Background(), interaction(t, "ask_guild"))
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("type = %d, want 4", r.Type)
	}
	text := checkLimits(t, r)
	mustContain(t, text, h.advice(), "advice")
	if r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("flags = %d, want ephemeral (64)", r.Data.Flags)
	}
	if len(r.Data.Embeds) == 0 || !strings.Contains(r.Data.Embeds[0].Title, "session") {
		t.Fatalf("embeds = %+v, want the session-length answer", r.Data.Embeds)
	}
	if ids := buttons(r.Data); !has(ids, "share:session-length") {
		t.Errorf("buttons = %v, want a share:session-length button", ids)
	}
}

func TestAskPublic(t *testing.T) {
	r := newTestHandler(t).Interaction(context.Background(), interaction(t, "ask_dm_public"))
	checkLimits(t, r)
	if r.Data.Flags != 0 {
		t.Errorf("flags = %d with private:false, want 0", r.Data.Flags)
	}
	for _, id := range buttons(r.Data) {
		if strings.HasPrefix(id, SharePrefix) {
			t.Errorf("a public answer has a share button %q", id)
		}
	}
}

func TestAskUrgentIgnoresCooldown(t *testing.T) {
	h := NewHandler(realAssistant(t), Config{AskPrivate: true, Cooldown: time.Hour, Burst: 1, Now: newClock().now}, nil)
	ctx := context.Background()
	h.Interaction(ctx, interaction(t, "ask_guild")) // uses the only token
	r := h.Interaction(ctx, interaction(t, "ask_guild"))
	if !strings.Contains(r.Data.Content, "wait") {
		t.Fatalf("second question within the cooldown: content = %q, want a note to wait", r.Data.Content)
	}
	crisis := interaction(t, "ask_guild", "How long does a focused shockwave session take?", "I want to end my life")
	r = h.Interaction(ctx, crisis)
	text := checkLimits(t, r)
	mustContain(t, text, "you do not have to face this alone", "crisis guidance")
	if ids := buttons(r.Data); has(ids, "share:session-length") || len(ids) > 0 && strings.HasPrefix(ids[len(ids)-1], SharePrefix) {
		t.Errorf("crisis reply has a share button: %v", ids)
	}
}

func TestAskEmpty(t *testing.T) {
	r := newTestHandler(t).Interaction(context.Background(),
		interaction(t, "ask_guild", "How long does a focused shockwave session take?", "   "))
	checkLimits(t, r)
	if r.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(r.Data.Content, "/ask") {
		t.Errorf("empty question: %+v, want an ephemeral hint", r.Data)
	}
}

func TestCooldown(t *testing.T) {
	c := newClock()
	h := NewHandler(realAssistant(t), testConfig(c), nil)
	ctx := context.Background()
	for n := range 3 {
		if r := h.Interaction(ctx, interaction(t, "faq_command")); strings.Contains(r.Data.Content, "wait") {
			t.Fatalf("question %d within the burst of 3 was held back", n+1)
		}
	}
	r := h.Interaction(ctx, interaction(t, "faq_command"))
	checkLimits(t, r)
	if !strings.Contains(r.Data.Content, "wait 3 seconds") || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("fourth question: %q flags %d, want an ephemeral note to wait 3 seconds", r.Data.Content, r.Data.Flags)
	}
	// Another user is not held back.
	other := interaction(t, "faq_command", "1500000000000000001", "1500000000000000009")
	if r := h.Interaction(ctx, other); strings.Contains(r.Data.Content, "wait") {
		t.Errorf("another user was held back")
	}
	c.add(3 * time.Second)
	if r := h.Interaction(ctx, interaction(t, "faq_command")); strings.Contains(r.Data.Content, "wait") {
		t.Errorf("held back after the cooldown passed")
	}
}

func TestCooldownBounded(t *testing.T) {
	c := newCooldown(time.Second, 2)
	c.tracked = 100
	now := time.Unix(0, 0)
	for i := range 1000 {
		if ok, _ := c.allow(strings.Repeat("u", 1+i%7)+string(rune('a'+i%26))+time.Duration(i).String(), now); !ok {
			t.Fatalf("new user %d held back", i)
		}
	}
	if n := c.size(); n > 100 {
		t.Errorf("%d users remembered, want at most 100", n)
	}
	c.allow("late", now.Add(10*time.Second)) // every bucket has refilled
	if n := c.size(); n != 1 {
		t.Errorf("%d users remembered after all refilled, want 1", n)
	}
	if ok, _ := (*cooldown)(nil).allow("x", now); !ok {
		t.Errorf("a nil cooldown held back")
	}
	if ok, _ := newCooldown(0, 0).allow("x", now); !ok {
		t.Errorf("a zero cooldown held back")
	}
}

func TestFAQ(t *testing.T) {
	h := newTestHandler(t)
	ctx := context.Background()
	tests := []struct {
		topic string
		entry string // "" for no particular entry
	}{
		{"session-length", "session-length"},
		{"how long is a session", ""},
		{"qqqq zzzz", ""},
		{"", ""},
	}
	for _, tt := range tests {
		r := h.Interaction(ctx, interaction(t, "faq_command", `"value": "session-length"`, `"value": `+quote(tt.topic)))
		text := checkLimits(t, r)
		mustContain(t, text, h.advice(), "advice")
		if tt.entry != "" && !has(buttons(r.Data), SharePrefix+tt.entry) {
			t.Errorf("/faq %q: buttons %v, want a share button for %s", tt.topic, buttons(r.Data), tt.entry)
		}
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestAutocomplete(t *testing.T) {
	a := realAssistant(t)
	h := NewHandler(a, testConfig(newClock()), nil)
	for _, typed := range []string{"sess", "", "pain", strings.Repeat("x", 3000)} {
		r := h.Interaction(context.Background(), interaction(t, "faq_autocomplete", `"value": "sess"`, `"value": `+quote(typed)))
		if r.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Fatalf("type = %d, want 8", r.Type)
		}
		checkLimits(t, r)
		for _, c := range r.Data.Choices {
			if _, ok := a.Show(c.Value.(string)); !ok {
				t.Errorf("choice %q has value %v, not an entry id", c.Name, c.Value)
			}
		}
		if typed == "sess" {
			if len(r.Data.Choices) == 0 {
				t.Errorf("typed %q: no choices", typed)
			}
			for _, c := range r.Data.Choices {
				if !strings.Contains(strings.ToLower(c.Name), "session") {
					t.Errorf("typed %q: choice %q", typed, c.Name)
				}
			}
		}
		if typed == "" && len(r.Data.Choices) != min(len(a.Topics()), MaxChoices) {
			t.Errorf("typed nothing: %d choices, want %d", len(r.Data.Choices), min(len(a.Topics()), MaxChoices))
		}
	}
}

func TestAbout(t *testing.T) {
	h := newTestHandler(t)
	r := h.Interaction(context.Background(), interaction(t, "about_command"))
	text := checkLimits(t, r)
	mustContain(t, text, h.advice(), "advice")
	if r.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(text, "/ask") {
		t.Errorf("about: %+v", r.Data)
	}
}

func TestButtons(t *testing.T) {
	h := newTestHandler(t)
	ctx := context.Background()

	r := h.Interaction(ctx, interaction(t, "button_faq"))
	checkLimits(t, r)
	if r.Data.Flags != discordgo.MessageFlagsEphemeral || !has(buttons(r.Data), "share:number-of-sessions") {
		t.Errorf("faq button: flags %d, buttons %v", r.Data.Flags, buttons(r.Data))
	}

	r = h.Interaction(ctx, interaction(t, "button_share"))
	text := checkLimits(t, r)
	mustContain(t, text, h.advice(), "advice")
	if r.Data.Flags != 0 || r.Data.Content != "<@1500000000000000001> shared this answer." {
		t.Errorf("share button: flags %d, content %q", r.Data.Flags, r.Data.Content)
	}
	if len(r.Data.Embeds) == 0 || !strings.Contains(r.Data.Embeds[0].Title, "session") {
		t.Errorf("share button: embeds %+v, want the session-length answer", r.Data.Embeds)
	}

	for _, id := range []string{"faq:no-such-entry", "share:no-such-entry", "what:ever", ""} {
		r := h.Interaction(ctx, interaction(t, "button_faq", `"custom_id": "faq:number-of-sessions"`, `"custom_id": `+quote(id)))
		checkLimits(t, r)
		if r.Data.Flags != discordgo.MessageFlagsEphemeral || r.Data.Content == "" {
			t.Errorf("button %q: %+v, want an ephemeral note", id, r.Data)
		}
	}
}

func TestUnsupportedInteraction(t *testing.T) {
	h := newTestHandler(t)
	modal := &discordgo.Interaction{Type: discordgo.InteractionModalSubmit, Data: discordgo.ModalSubmitInteractionData{CustomID: "x"}}
	r := h.Interaction(context.Background(), modal)
	checkLimits(t, r)
	unknown := interaction(t, "about_command", `"name": "about"`, `"name": "nope"`)
	checkLimits(t, h.Interaction(context.Background(), unknown))
}

func channelMessage(t *testing.T, edit ...string) *discordgo.Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "message_mention.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw = []byte(strings.NewReplacer(edit...).Replace(string(raw)))
	var m discordgo.Message
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func TestMessage(t *testing.T) {
	rec := &recorder{Assistant: realAssistant(t)}
	h := NewHandler(rec, Config{Now: newClock().now}, nil)
	ctx := context.Background()

	m := channelMessage(t)
	s := h.Message(ctx, m, botID)
	if s == nil {
		t.Fatal("no reply to a mention")
	}
	checkLimits(t, s)
	if s.Reference == nil || s.Reference.MessageID != m.ID || s.Reference.ChannelID != m.ChannelID {
		t.Errorf("reference = %+v, want a reply to %s", s.Reference, m.ID)
	}
	if got := rec.asks[len(rec.asks)-1]; got != "how long does a focused shockwave session take?" {
		t.Errorf("asked %q, want the text without the mention", got)
	}
	if len(s.Embeds) == 0 || !strings.Contains(s.Embeds[0].Title, "session") {
		t.Errorf("embeds = %+v", s.Embeds)
	}

	nick := channelMessage(t, "<@1000000000000000001>", "<@!1000000000000000001>")
	if h.Message(ctx, nick, botID) == nil || strings.Contains(rec.asks[len(rec.asks)-1], "<@") {
		t.Errorf("nickname mention: not answered or not stripped: %q", rec.asks[len(rec.asks)-1])
	}

	dm := channelMessage(t, `"guild_id": "1300000000000000001",`, "", `"mentions": [{"id": "1000000000000000001", "username": "avnbot", "discriminator": "0", "bot": true}]`, `"mentions": []`, "<@1000000000000000001> ", "")
	if dm.GuildID != "" || len(dm.Mentions) != 0 {
		t.Fatalf("DM fixture: guild %q mentions %v", dm.GuildID, dm.Mentions)
	}
	if s := h.Message(ctx, dm, botID); s == nil {
		t.Errorf("no reply to a direct message")
	} else {
		checkLimits(t, s)
	}

	silent := map[string]*discordgo.Message{
		"no mention in a server": channelMessage(t, `"mentions": [{"id": "1000000000000000001", "username": "avnbot", "discriminator": "0", "bot": true}]`, `"mentions": []`),
		"another user mentioned": channelMessage(t, `"mentions": [{"id": "1000000000000000001"`, `"mentions": [{"id": "1000000000000000002"`),
		"from a bot":             channelMessage(t, `"global_name": "Pat"`, `"global_name": "Pat", "bot": true`),
		"from itself":            channelMessage(t, `"author": {"id": "1500000000000000001"`, `"author": {"id": "1000000000000000001"`),
		"from a webhook":         channelMessage(t, `"type": 0,`, `"type": 0, "webhook_id": "1800000000000000001",`),
	}
	for name, m := range silent {
		if s := h.Message(ctx, m, botID); s != nil {
			t.Errorf("%s: replied %+v, want silence", name, s)
		}
	}
	if h.Message(ctx, nil, botID) != nil {
		t.Errorf("replied to a nil message")
	}
}

func TestMessageCooldown(t *testing.T) {
	h := NewHandler(realAssistant(t), Config{Cooldown: time.Hour, Burst: 1, Now: newClock().now}, nil)
	ctx := context.Background()
	if h.Message(ctx, channelMessage(t), botID) == nil {
		t.Fatal("first message not answered")
	}
	if s := h.Message(ctx, channelMessage(t), botID); s != nil {
		t.Errorf("second message within the cooldown answered")
	}
	urgent := channelMessage(t, "how long does a focused shockwave session take?", "I fell and can't get up, my hip looks twisted")
	s := h.Message(ctx, urgent, botID)
	if s == nil || !strings.Contains(s.Content, "emergency") {
		t.Errorf("urgent message within the cooldown: %+v, want the urgent guidance", s)
	}
	crisis := channelMessage(t, "how long does a focused shockwave session take?", "i dont want to be here anymore")
	for range 3 { // and again: never held back
		if s := h.Message(ctx, crisis, botID); s == nil || !strings.Contains(s.Content, "not have to face this alone") {
			t.Errorf("crisis message within the cooldown: %+v, want the crisis guidance", s)
		}
	}
}

func TestAskUrgentNotCrisisIgnoresCooldown(t *testing.T) {
	h := NewHandler(realAssistant(t), Config{AskPrivate: true, Cooldown: time.Hour, Burst: 1, Now: newClock().now}, nil)
	ctx := context.Background()
	h.Interaction(ctx, interaction(t, "ask_guild"))
	for range 3 {
		r := h.Interaction(ctx, interaction(t, "ask_guild", "How long does a focused shockwave session take?", "my dad's face is drooping and his speech is slurred"))
		if !strings.Contains(r.Data.Content, "emergency") {
			t.Errorf("urgent /ask within the cooldown: content = %q, want the urgent guidance", r.Data.Content)
		}
	}
}

// TestLogs checks that question text stays out of the logs unless asked for,
// and then only at debug level.
func TestLogs(t *testing.T) {
	const secret = "my secret hip question about sessions"
	for _, logQuestions := range []bool{false, true} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		h := NewHandler(realAssistant(t), Config{LogQuestions: logQuestions, Now: newClock().now}, log)
		ctx := context.Background()
		h.Interaction(ctx, interaction(t, "ask_guild", "How long does a focused shockwave session take?", secret))
		h.Interaction(ctx, interaction(t, "faq_command", `"value": "session-length"`, `"value": `+quote(secret)))
		h.Message(ctx, channelMessage(t, "how long does a focused shockwave session take?", secret), botID)
		for _, line := range strings.Split(buf.String(), "\n") {
			if !strings.Contains(line, secret) {
				continue
			}
			if !logQuestions {
				t.Errorf("question logged without LogQuestions: %s", line)
			} else if !strings.Contains(line, "level=DEBUG") {
				t.Errorf("question logged above debug level: %s", line)
			}
		}
		if logQuestions && !strings.Contains(buf.String(), secret) {
			t.Errorf("LogQuestions set, question not logged at debug level")
		}
		if strings.Contains(buf.String(), "INTERACTION_TOKEN") {
			t.Errorf("interaction token logged")
		}
		if !strings.Contains(buf.String(), "level=INFO msg=answered") {
			t.Errorf("no info log of the answer:\n%s", buf.String())
		}
	}
}

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{N}]{1,32}$`)

func TestCommands(t *testing.T) {
	cmds := Commands()
	names := map[string]bool{}
	for _, c := range cmds {
		names[c.Name] = true
		if !commandName.MatchString(c.Name) || Len(c.Description) < 1 || Len(c.Description) > 100 {
			t.Errorf("command %q: bad name or description %q", c.Name, c.Description)
		}
		if len(c.Options) > 25 {
			t.Errorf("command %q: %d options", c.Name, len(c.Options))
		}
		required := true
		for _, o := range c.Options {
			if !commandName.MatchString(o.Name) || Len(o.Description) < 1 || Len(o.Description) > 100 {
				t.Errorf("option %s.%s: bad name or description %q", c.Name, o.Name, o.Description)
			}
			if o.Required && !required {
				t.Errorf("option %s.%s: required after an optional one", c.Name, o.Name)
			}
			required = o.Required
			if o.MaxLength > 6000 {
				t.Errorf("option %s.%s: max_length %d", c.Name, o.Name, o.MaxLength)
			}
		}
	}
	for _, n := range []string{CmdAsk, CmdFAQ, CmdAbout} {
		if !names[n] {
			t.Errorf("no /%s command", n)
		}
	}
	raw, _ := json.Marshal(cmds)
	if !strings.Contains(string(raw), `"max_length":1000`) || !strings.Contains(string(raw), `"autocomplete":true`) {
		t.Errorf("commands JSON lacks max_length 1000 or autocomplete: %s", raw)
	}
}
