package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
	"github.com/avnbot/avnbot/store"
)

// validCallback checks r against Discord's OpenAPI description as the
// callback that would carry it.
func validCallback(t *testing.T, r *discordgo.InteractionResponse) {
	t.Helper()
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	discordtest.Validate(t, discordtest.Request{Method: "POST", Path: "/api/v9/interactions/1100000000000000020/token/callback",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: body})
}

const modPerms = `"permissions": "2248473465835105"` // admin_stats.json: Manage Server among them

// adminInteraction is /faq-admin with the given subcommand option JSON,
// from the moderator of admin_stats.json, with edit applied.
func adminInteraction(t *testing.T, sub string, edit ...string) *discordgo.Interaction {
	t.Helper()
	return interaction(t, "admin_stats", append([]string{
		`{"name": "stats", "type": 1, "options": [{"name": "days", "type": 4, "value": 7}]}`, sub}, edit...)...)
}

func TestAdminPermissions(t *testing.T) {
	st := newStore(t)
	stats := `{"name": "stats", "type": 1}`
	for _, tc := range []struct {
		name string
		role string // ModRoleID
		edit []string
		ok   bool
	}{
		{"manage server", "", nil, true},
		{"administrator", "", []string{modPerms, `"permissions": "8"`, `"permissions":"2248473465835105"`, `"permissions":"8"`}, true},
		{"no permission", "", []string{modPerms, `"permissions": "2248473465835073"`, `"permissions":"2248473465835105"`, `"permissions":"2248473465835073"`}, false},
		{"with the role", "1800000000000000001", nil, true},
		{"without the role", "1800000000000000002", nil, false},
		{"role but no permission", "1800000000000000001", []string{modPerms, `"permissions": "0"`, `"permissions":"2248473465835105"`, `"permissions":"0"`}, false},
		{"in a DM", "", []string{`"guild_id": "1300000000000000001",`, ``, `"guild_id":"1300000000000000001",`, ``, `"member": {`, `"user": {"id": "1", "username": "x", "discriminator": "0"}, "x": {`, `"member":{`, `"user":{"id":"1"},"x":{`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHandler(realAssistant(t), Config{Store: st, ModRoleID: tc.role}, nil)
			r := h.Interaction(context.Background(), adminInteraction(t, stats, tc.edit...))
			checkLimits(t, r)
			if r.Data.Flags != discordgo.MessageFlagsEphemeral {
				t.Errorf("reply is not private")
			}
			if got := len(r.Data.Embeds) == 1; got != tc.ok {
				t.Errorf("allowed = %v, want %v: %+v", got, tc.ok, r.Data)
			}
			// The buttons are checked the same way.
			button := interaction(t, "button_vote", "vote:up:session-length:KEY", "adm:dismiss:7:0000000000000000",
				`"permissions": "0"`, `"permissions": "2248473465835105"`, `"roles": []`, `"roles": ["1800000000000000001"]`)
			raw, _ := json.Marshal(button)
			button = new(discordgo.Interaction)
			if err := json.Unmarshal([]byte(strings.NewReplacer(tc.edit...).Replace(string(raw))), button); err != nil {
				t.Fatal(err)
			}
			r = h.Interaction(context.Background(), button)
			if refused := strings.Contains(r.Data.Content, "for the server's moderators"); refused == tc.ok {
				t.Errorf("button: refused = %v, want %v: %q", refused, !tc.ok, r.Data.Content)
			}
		})
	}
}

func TestAdminPreview(t *testing.T) {
	st := newStore(t)
	var logs bytes.Buffer
	h := NewHandler(realAssistant(t), Config{Store: st, LogQuestions: true}, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	preview := func(q string) *discordgo.InteractionResponseData {
		t.Helper()
		r := h.Interaction(context.Background(), adminInteraction(t, `{"name": "preview", "type": 1, "options": [{"name": "question", "type": 3, "value": `+quote(q)+`}]}`))
		checkLimits(t, r)
		validCallback(t, r)
		if r.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("%q: preview is not private", q)
		}
		return r.Data
	}
	d := preview("how long does a shockwave session last")
	for _, want := range []string{"**Preview**", "answered** from `session-length`", "`session-length`: ", "✓ answered in the reply", "Held-out questions given"} {
		if !strings.Contains(d.Content, want) {
			t.Errorf("preview content lacks %q:\n%s", want, d.Content)
		}
	}
	if len(d.Embeds) == 0 || d.Embeds[0].Title != "How long does a focused shockwave session take?" {
		t.Errorf("preview embeds = %+v, want the answer as a member sees it", d.Embeds)
	}
	if d := preview("what is the capital of peru"); !strings.Contains(d.Content, "abstains") {
		t.Errorf("off-topic preview:\n%s", d.Content)
	}
	if d := preview("I want to kill myself"); !strings.Contains(d.Content, "crisis") {
		t.Errorf("crisis preview:\n%s", d.Content)
	}
	d = preview(strings.Repeat("how many sessions? does it hurt? ", 30))
	if !strings.Contains(d.Content, "part:") {
		t.Errorf("a long message's preview lists no parts:\n%s", d.Content)
	}
	s, err := st.Stats(context.Background(), "", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s.Questions != 0 {
		t.Errorf("previews recorded %d questions", s.Questions)
	}
	if strings.Contains(logs.String(), "shockwave session last") || strings.Contains(logs.String(), "peru") {
		t.Errorf("a previewed question was logged:\n%s", logs.String())
	}
}

type fakeReloader ReloadResult

func (f fakeReloader) Reload(context.Context) ReloadResult { return ReloadResult(f) }

func TestAdminReload(t *testing.T) {
	reload := `{"name": "reload", "type": 1}`
	var problems []string
	problems = append(problems, "faq/huge.md:1: "+strings.Repeat("@everyone never ends ", 400))
	for i := range 200 {
		problems = append(problems, fmt.Sprintf("faq/entry-%d.md:%d: citations[0].qoute: unknown key; did you mean \"quote\"? ```%s", i, i+3, strings.Repeat("x", 40)))
	}
	for range 20 {
		problems = append(problems, "faq/mentions.md:1: "+strings.Repeat("@here ", 100))
	}
	for _, tc := range []struct {
		name string
		r    Reloader
		want []string
	}{
		{"not configured", nil, []string{"not configured"}},
		{"changed", fakeReloader{Added: []string{"cost"}, Edited: []string{"pain", "session-length"}, Summary: "reloaded v2 (was v1) in 80ms"},
			[]string{"Reloaded", "**Added** (1): `cost`", "**Edited** (2): `pain`, `session-length`", "reloaded v2"}},
		{"unchanged", fakeReloader{Unchanged: true}, []string{"Nothing to reload"}},
		{"problems", fakeReloader{Problems: problems}, []string{"Reload refused: 221 problems", "faq/huge.md:1: @\u200beveryone never ends", "faq/entry-0.md:3: citations[0].qoute", "more"}},
		{"failed", fakeReloader{Err: errors.New("read knowledge: permission denied")}, []string{"Reload failed", "permission denied"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHandler(realAssistant(t), Config{Reloader: tc.r}, nil)
			r := h.Interaction(context.Background(), adminInteraction(t, reload))
			text := checkLimits(t, r)
			validCallback(t, r)
			if r.Data.Flags != discordgo.MessageFlagsEphemeral {
				t.Errorf("not private")
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("reply lacks %q:\n%.2000s", w, text)
				}
			}
			if strings.Count(text, "```")%2 != 0 {
				t.Errorf("unbalanced code fences:\n%.2000s", text)
			}
		})
	}
}

func TestAdminUnanswered(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	h := NewHandler(realAssistant(t), Config{Store: st, RecordUnanswered: true}, nil)
	list := func() *discordgo.InteractionResponseData {
		t.Helper()
		r := h.Interaction(ctx, adminInteraction(t, `{"name": "unanswered", "type": 1}`))
		checkLimits(t, r)
		return r.Data
	}
	if d := list(); !strings.Contains(d.Embeds[0].Description, "No open unanswered") || len(d.Components) != 0 {
		t.Errorf("empty list = %+v", d)
	}
	// 15 different questions, asked 15..1 times; another server's; a long one.
	for i := range 15 {
		for range 15 - i {
			q := fmt.Sprintf("topic%c%c question about %s", 'a'+i, 'a'+i, strings.Repeat("*word* ", i))
			if _, err := st.RecordUnanswered(ctx, store.Question{Guild: testGuild, Kind: store.NoMatch, Text: q}); err != nil {
				t.Fatal(err)
			}
		}
	}
	st.RecordUnanswered(ctx, store.Question{Guild: "other", Kind: store.NoMatch, Text: "elsewhere"})
	st.RecordUnanswered(ctx, store.Question{Guild: testGuild, Kind: store.OffTopic, Text: strings.Repeat("@everyone ||long|| ", 40)})
	d := list()
	desc := d.Embeds[0].Description
	if !strings.HasPrefix(desc, "**1.** 15× “topicaa question about”") || !strings.Contains(desc, "**10.**") || strings.Contains(desc, "**11.**") {
		t.Errorf("list:\n%s", desc)
	}
	if strings.Contains(desc, "elsewhere") {
		t.Errorf("another server's question listed")
	}
	if len(d.Components) != adminButtons {
		t.Fatalf("%d rows of buttons, want %d", len(d.Components), adminButtons)
	}
	first := buttons(d)
	if !strings.HasPrefix(first[0], "adm:cover:30:") || !strings.HasPrefix(first[1], "adm:dismiss:30:") {
		t.Errorf("buttons %v", first)
	}
	// Dismiss group 2; then the same button again.
	click := func(id string) *discordgo.InteractionResponseData {
		t.Helper()
		r := h.Interaction(ctx, interaction(t, "button_vote", "vote:up:session-length:KEY", id, `"permissions": "0"`, `"permissions": "32"`))
		checkLimits(t, r)
		validCallback(t, r)
		return r.Data
	}
	d = click(first[3])
	if !strings.Contains(d.Content, "Marked 14 questions like “topicbb question about \\*word\\*” as dismissed") {
		t.Errorf("dismiss: %q", d.Content)
	}
	if strings.Contains(d.Embeds[0].Description, "topicbb") {
		t.Errorf("a dismissed group is still listed")
	}
	if d = click(first[3]); !strings.Contains(d.Content, "no longer open") {
		t.Errorf("second click: %q", d.Content)
	}
	r := h.Interaction(ctx, adminInteraction(t, `{"name": "unanswered", "type": 1, "options": [{"name": "days", "type": 4, "value": 9999}]}`))
	if d = r.Data; !strings.Contains(d.Embeds[0].Title, "365 days") {
		t.Errorf("days not capped: %q", d.Embeds[0].Title)
	}
}

func TestAdminStats(t *testing.T) {
	ctx := context.Background()
	stats := `{"name": "stats", "type": 1}`
	h := NewHandler(realAssistant(t), Config{}, nil)
	if r := h.Interaction(ctx, adminInteraction(t, stats)); !strings.Contains(r.Data.Content, "No database is configured") {
		t.Errorf("no store: %q", r.Data.Content)
	}
	st := newStore(t)
	h = NewHandler(realAssistant(t), Config{Store: st}, nil)
	for i := range 100 {
		kind := []store.Kind{store.Answered, store.NoMatch, store.OffTopic}[i%3]
		st.RecordQuestion(ctx, store.Event{Guild: testGuild, Kind: kind, EntryID: "pain", Urgent: i%10 == 0, Crisis: i%20 == 0, Latency: time.Duration(i+1) * time.Millisecond})
	}
	for i := range 300 { // more entries than fit
		st.Vote(ctx, store.Vote{Guild: testGuild, Entry: fmt.Sprintf("entry-%03d-%s", i, strings.Repeat("long", 20)), Answer: fmt.Sprint(i), Voter: "v", Up: i%2 == 0})
	}
	r := h.Interaction(ctx, adminInteraction(t, stats))
	text := checkLimits(t, r)
	validCallback(t, r)
	for _, want := range []string{"Questions 100", "Answered 34 (34%)", "Abstained 66 (66%)\nno match 33, off topic 33", "Urgent 10 (10%)\nof which crisis 5", "p50 50ms\np99 99ms", "👍 1 👎 0", "more"} {
		if !strings.Contains(text, want) {
			t.Errorf("stats lack %q:\n%.1500s", want, text)
		}
	}
}
