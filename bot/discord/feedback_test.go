package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot"
)

// golden compares v, as indented JSON, with testdata/name.golden (-update
// rewrites it).
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("differs from %s (go test -update rewrites it):\ngot:\n%s", path, got)
	}
}

// TestRenderFeedbackGolden: a private answer with its related topics, the
// Share button and the 👍/👎 row, as /ask sends it.
func TestRenderFeedbackGolden(t *testing.T) {
	a := goldenAnswers()["answer"]
	d := Render(a)
	d.Flags = discordgo.MessageFlagsEphemeral
	WithShareButton(d, ShareID(a))
	WithVoteButtons(d, a, AnswerKey("1100000000000000002"))
	checkLimits(t, d)
	golden(t, "answer_feedback", d)
	if got := buttons(d); len(d.Components) != 2 || !has(got, "vote:up:session-length:8cv1gfspn1fm") || !has(got, "share:session-length") {
		t.Errorf("rows %d, buttons %v: want the related row with Share, then 👍/👎", len(d.Components), got)
	}
}

func TestVoteIDs(t *testing.T) {
	answer := goldenAnswers()["answer"]
	urgent := answer
	urgent.Urgent, urgent.Guidance = true, testUrgent
	long := answer
	long.Entry = &bot.Ref{ID: strings.Repeat("x", 100-len("vote:down::")-13+1)}
	fits := answer
	fits.Entry = &bot.Ref{ID: strings.Repeat("x", 100-len("vote:down::")-13)}
	for _, tc := range []struct {
		name string
		a    bot.Answer
		key  string
		want bool
	}{
		{"answer", answer, "abc", true},
		{"no key (no store)", answer, "", false},
		{"abstain", goldenAnswers()["abstain"], "abc", false},
		{"urgent answer", urgent, "abc", false},
		{"id too long", long, "8cv1gfspn1fm0", false},
		{"id that just fits", fits, "8cv1gfspn1fm0", true},
		{"colon in id", bot.Answer{Kind: bot.Answered, Entry: &bot.Ref{ID: "a:b"}}, "abc", false},
	} {
		up, down := VoteIDs(tc.a, tc.key)
		if got := up != "" && down != ""; got != tc.want {
			t.Errorf("%s: VoteIDs = %q, %q; want buttons %v", tc.name, up, down, tc.want)
		}
		if Len(down) > MaxCustomID {
			t.Errorf("%s: %q is longer than a custom id", tc.name, down)
		}
	}
}

func TestAnswerKey(t *testing.T) {
	for in, want := range map[string]string{
		"1100000000000000002":   "8cv1gfspn1fm",
		"18446744073709551615":  "3w5e11264sgsf",
		"abc":                   "abc",
		"a:b":                   "",
		strings.Repeat("x", 21): "",
	} {
		if got := AnswerKey(in); got != want {
			t.Errorf("AnswerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRowsWithEverything: the most buttons an answer can carry stay within
// 5 per row and 5 rows.
func TestRowsWithEverything(t *testing.T) {
	a := overlong()
	d := Render(a)
	WithShareButton(d, ShareID(a))
	WithVoteButtons(d, a, "8cv1gfspn1fm")
	checkLimits(t, d)
	if got := buttons(d); len(got) != MaxRelated+3 {
		t.Errorf("buttons %v, want %d related, Share, 👍 and 👎", got, MaxRelated)
	}
	// A payload already full of rows gets no vote row.
	full := &discordgo.InteractionResponseData{}
	for range MaxActionRows {
		full.Components = append(full.Components, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "x", CustomID: "x"}}})
	}
	WithVoteButtons(full, a, "k")
	if len(full.Components) != MaxActionRows {
		t.Errorf("%d rows, want %d", len(full.Components), MaxActionRows)
	}
}

// TestVotesWithoutStore: no store, no vote buttons (a vote would count
// nothing).
func TestVotesWithoutStore(t *testing.T) {
	h := newTestHandler(t)
	r := h.Interaction(context.Background(), interaction(t, "ask_guild"))
	for _, id := range buttons(r.Data) {
		if strings.HasPrefix(id, VotePrefix) {
			t.Errorf("vote button %q without a store", id)
		}
	}
}

func TestVoteHandler(t *testing.T) {
	st := newStore(t)
	h := NewHandler(realAssistant(t), Config{AskPrivate: true, Store: st}, nil)
	ctx := context.Background()
	click := func(id, user string) string {
		t.Helper()
		r := h.Interaction(ctx, interaction(t, "button_vote", "vote:up:session-length:KEY", id, "1500000000000000001", user))
		checkLimits(t, r)
		if r.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("%s: reply is not private", id)
		}
		return r.Data.Content
	}
	for _, tc := range []struct{ id, user, want string }{
		{"vote:up:session-length:k1", "1", voteThanks},
		{"vote:up:session-length:k1", "1", voteRepeated},
		{"vote:down:session-length:k1", "1", voteChanged},
		{"vote:down:session-length:k2", "1", voteThanks}, // another answer
		{"vote:up:session-length:k1", "2", voteThanks},
		{"vote:up:no-such-entry:k1", "1", "That topic is no longer in the FAQ"},
		{"vote:sideways:session-length:k1", "1", "can't read"},
		{"vote:up:session-length", "1", "can't read"},
	} {
		if got := click(tc.id, tc.user); !strings.Contains(got, tc.want) {
			t.Errorf("%s by %s: %q, want %q", tc.id, tc.user, got, tc.want)
		}
	}
	s, err := st.Stats(ctx, testGuild, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Votes) != 1 || s.Votes[0].Up != 1 || s.Votes[0].Down != 2 {
		t.Errorf("votes = %+v, want session-length 👍 1 👎 2", s.Votes)
	}
}

// TestMessageVotes: a reply to a mention gets vote buttons keyed by the
// message it answers, and its outcome is recorded.
func TestMessageVotes(t *testing.T) {
	st := newStore(t)
	h := NewHandler(realAssistant(t), Config{Store: st}, nil)
	m := channelMessage(t)
	send := h.Message(context.Background(), m, botID)
	if send == nil {
		t.Fatal("no reply")
	}
	checkLimits(t, send)
	var ids []string
	for _, c := range send.Components {
		for _, b := range c.(discordgo.ActionsRow).Components {
			ids = append(ids, b.(discordgo.Button).CustomID)
		}
	}
	if !has(ids, "vote:up:session-length:"+AnswerKey(m.ID)) {
		t.Errorf("buttons %v lack a vote keyed by message %s", ids, m.ID)
	}
	s, err := st.Stats(context.Background(), "", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if s.Questions != 1 || s.Answered != 1 {
		t.Errorf("stats %+v, want one answered question", s)
	}
}

// TestAboutSaysWhatIsKept: /about tells members truthfully what is kept.
func TestAboutSaysWhatIsKept(t *testing.T) {
	st := newStore(t)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "Questions are not stored."},
		{Config{Store: st}, "only whether they were answered is counted"},
		{Config{Store: st, RecordUnanswered: true}, "Questions I cannot answer are kept"},
	} {
		r := NewHandler(realAssistant(t), tc.cfg, nil).Interaction(context.Background(), interaction(t, "about_command"))
		if text := checkLimits(t, r); !strings.Contains(text, tc.want) {
			t.Errorf("%+v: /about lacks %q", tc.cfg, tc.want)
		}
	}
}

// TestVoteLogs: a vote is logged without the entry, since the log carries
// the voter's id.
func TestVoteLogs(t *testing.T) {
	var logs bytes.Buffer
	h := NewHandler(realAssistant(t), Config{Store: newStore(t)}, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h.Interaction(context.Background(), interaction(t, "button_vote", "vote:up:session-length:KEY", "vote:up:session-length:k"))
	if !strings.Contains(logs.String(), "msg=vote") || strings.Contains(logs.String(), "session-length") {
		t.Errorf("logs:\n%s", logs.String())
	}
}
