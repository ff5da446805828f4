package discord

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/store"
)

// Custom id prefixes of the feedback buttons: vote:up:<entry>:<answer key>
// and vote:down:<entry>:<answer key>. The answer key is the id of the
// interaction or message the answer replied to, in base 36; never a user id.
const (
	VotePrefix = "vote:"
	voteUp     = "up"
	voteDown   = "down"
)

// Replies to a vote.
const (
	voteThanks   = "Thanks for the feedback."
	voteChanged  = "Thanks: your vote on this answer is changed."
	voteRepeated = "You already voted on this answer."
)

// VoteIDs are the custom ids of the 👍 and 👎 buttons for an answer, or two
// empty strings when the answer has no entry (only answers from an entry are
// voted on), raises a red flag (an emergency is not rated), when key is
// empty, or when they would not fit a custom id.
func VoteIDs(a bot.Answer, key string) (up, down string) {
	if a.Kind != bot.Answered || a.Urgent || a.Entry == nil || a.Entry.ID == "" || key == "" || strings.Contains(a.Entry.ID, ":") {
		return "", ""
	}
	up = VotePrefix + voteUp + ":" + a.Entry.ID + ":" + key
	down = VotePrefix + voteDown + ":" + a.Entry.ID + ":" + key
	if Len(down) > MaxCustomID { // the longer of the two
		return "", ""
	}
	return up, down
}

// AnswerKey is the short key of an answer for its vote buttons: the
// snowflake of the interaction or message it answers, in base 36 (13
// characters instead of 19), or the id as is when it is not a snowflake.
func AnswerKey(id string) string {
	if n, err := strconv.ParseUint(id, 10, 64); err == nil {
		return strconv.FormatUint(n, 36)
	}
	if strings.Contains(id, ":") || Len(id) > 20 {
		return ""
	}
	return id
}

// voteButtons are the 👍 and 👎 buttons of an answer, or nil.
func voteButtons(a bot.Answer, key string) []discordgo.MessageComponent {
	up, down := VoteIDs(a, key)
	if up == "" {
		return nil
	}
	return []discordgo.MessageComponent{
		discordgo.Button{Label: "Helpful", Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton, CustomID: up},
		discordgo.Button{Label: "Not helpful", Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton, CustomID: down},
	}
}

// WithVoteButtons adds 👍 and 👎 buttons under an answer from an entry, in
// a row of their own (the related topics fill the first), when there is room
// for one more row. key is AnswerKey of the interaction or message answered.
func WithVoteButtons(d *discordgo.InteractionResponseData, a bot.Answer, key string) {
	if d == nil {
		return
	}
	d.Components = addRow(d.Components, voteButtons(a, key))
}

// withVoteButtonsMessage is WithVoteButtons for a channel message.
func withVoteButtonsMessage(m *discordgo.MessageSend, a bot.Answer, key string) {
	if m == nil {
		return
	}
	m.Components = addRow(m.Components, voteButtons(a, key))
}

// addRow appends a row of buttons to rows when it holds any and there is
// room for it, without touching rows' backing array.
func addRow(rows []discordgo.MessageComponent, buttons []discordgo.MessageComponent) []discordgo.MessageComponent {
	if len(buttons) == 0 || len(buttons) > MaxButtonsPerRow || len(rows) >= MaxActionRows {
		return rows
	}
	return append(rows[:len(rows):len(rows)], discordgo.ActionsRow{Components: buttons})
}

// vote counts a 👍 or 👎 click. The voter's id goes to the store, which
// keeps only a keyed hash of it with the answer key, for the vote window.
func (h *Handler) vote(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, customID string) *discordgo.InteractionResponse {
	rest, _ := strings.CutPrefix(customID, VotePrefix)
	dir, rest, ok1 := strings.Cut(rest, ":")
	entry, key, ok2 := strings.Cut(rest, ":")
	voter := userID(i)
	if !ok1 || !ok2 || (dir != voteUp && dir != voteDown) || entry == "" || key == "" || voter == "" {
		return h.note("Sorry, I can't read that button.")
	}
	if _, found := h.a.Show(entry); !found {
		return h.note("That topic is no longer in the FAQ, so it can't be voted on.")
	}
	res, err := h.cfg.Store.Vote(ctx, store.Vote{Guild: i.GuildID, Entry: entry, Answer: key, Voter: voter, Up: dir == voteUp})
	if err != nil {
		log.LogAttrs(ctx, slog.LevelError, "vote not recorded", slog.String("err", err.Error()))
		return h.note("Sorry, I couldn't record your vote just now. Please try again later.")
	}
	// Not the entry: this log carries the user id, and the store is careful
	// never to put a person next to the entry they read.
	log.LogAttrs(ctx, slog.LevelDebug, "vote", slog.String("result", res.String()))
	switch res {
	case store.Repeated:
		return h.note(voteRepeated)
	case store.Changed:
		return h.note(voteChanged)
	}
	return h.note(voteThanks)
}

// record keeps the outcome of a question (no user id, no text) and, when
// RecordUnanswered is on, the redacted text of one the assistant could not
// answer and that raised no red flag. Failures are logged, never shown.
func (h *Handler) record(ctx context.Context, log *slog.Logger, guild, q string, a bot.Answer, took time.Duration) {
	if h.cfg.Store == nil {
		return
	}
	ev := store.Event{Guild: guild, Kind: store.Kind(a.Kind), Urgent: a.Urgent, Crisis: a.Crisis, Latency: took}
	if a.Entry != nil {
		ev.EntryID = a.Entry.ID
	}
	if err := h.cfg.Store.RecordQuestion(ctx, ev); err != nil {
		log.LogAttrs(ctx, slog.LevelWarn, "question outcome not recorded", slog.String("err", err.Error()))
	}
	if !h.cfg.RecordUnanswered || a.Urgent || a.Crisis || (a.Kind != bot.NoMatch && a.Kind != bot.OffTopic) || strings.TrimSpace(q) == "" {
		return
	}
	if _, err := h.cfg.Store.RecordUnanswered(ctx, store.Question{Guild: guild, Kind: store.Kind(a.Kind), Text: q}); err != nil {
		log.LogAttrs(ctx, slog.LevelWarn, "unanswered question not recorded", slog.String("err", err.Error()))
	}
}

// answerKey is AnswerKey(id) when votes are counted, else "": with no store
// the answer gets no vote buttons.
func (h *Handler) answerKey(id string) string {
	if h.cfg.Store == nil {
		return ""
	}
	return AnswerKey(id)
}

// kept says in /about what is kept of a question, as configured.
func (h *Handler) kept() string {
	switch {
	case h.cfg.Store != nil && h.cfg.RecordUnanswered:
		return "Who asks is never stored. Questions I cannot answer are kept for the server's moderators, " +
			"with numbers, links and mentions removed, for a limited time; of the others only whether they were answered is counted."
	case h.cfg.Store != nil:
		return "Questions are not stored: only whether they were answered is counted, never who asked."
	}
	return "Questions are not stored."
}
