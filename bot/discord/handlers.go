package discord

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/store"
)

// Assistant is what the adapter needs of the assistant; *bot.Assistant has it.
type Assistant interface {
	Ask(question string) (bot.Answer, error)
	Show(id string) (bot.Answer, bool)
	Suggest(typed string, n int) []bot.Ref
	Topics() []bot.Ref
	Topic() string
}

// Config is how the handler behaves; cmd/avnbot fills it from the environment.
type Config struct {
	// AskPrivate makes /ask and /faq answers visible only to the asker
	// (ephemeral, with a Share button) unless the user sets private:false.
	AskPrivate bool
	// Cooldown and Burst limit each user to Burst questions at once and then
	// one per Cooldown. A zero Cooldown turns the limit off.
	Cooldown time.Duration
	Burst    int
	// LogQuestions logs question text at debug level. Off, it is never
	// logged: questions are health data.
	LogQuestions bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Metrics, when set, counts questions by kind and times the answers.
	Metrics Observer
	// Alerts, when set, tells moderators of red flags raised in servers.
	Alerts *Alerts
	// Store records question outcomes and votes (feedback.go); nil records
	// nothing. RecordUnanswered also keeps the redacted text of questions
	// the assistant could not answer (off by default: health data).
	Store            *store.Store
	RecordUnanswered bool
	// ModRoleID, when set, limits /faq-admin to members with that role (and
	// Manage Server); Reloader serves /faq-admin reload (admin.go).
	ModRoleID string
	Reloader  Reloader
}

// Handler turns interactions and messages into replies. It returns them
// rather than sending them, so the gateway, the HTTP endpoint and the tests
// share it. It is safe for concurrent use.
type Handler struct {
	a    Assistant
	cfg  Config
	log  *slog.Logger
	cool *cooldown
	obs  Observer
}

// NewHandler returns a handler answering from a. A nil logger discards logs.
func NewHandler(a Assistant, cfg Config, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{
		a:    a,
		cfg:  cfg,
		log:  log,
		cool: newCooldown(cfg.Cooldown, cfg.Burst),
		obs:  observer(cfg.Metrics),
	}
}

// Interaction returns the response to an interaction: a message (type 4), a
// pong (1) or autocomplete choices (8). It never returns nil.
func (h *Handler) Interaction(ctx context.Context, i *discordgo.Interaction) *discordgo.InteractionResponse {
	start := h.cfg.Now()
	log := h.log.With(slog.String("interaction", i.ID), slog.String("user", userID(i)))
	var resp *discordgo.InteractionResponse
	switch d := i.Data.(type) {
	case nil:
		if i.Type == discordgo.InteractionPing {
			return &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}
		}
	case discordgo.ApplicationCommandInteractionData:
		if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
			return h.autocomplete(d)
		}
		log = log.With(slog.String("command", d.Name))
		resp = h.command(ctx, log, i, d)
	case discordgo.MessageComponentInteractionData:
		log = log.With(slog.String("component", componentPrefix(d.CustomID)))
		resp = h.component(ctx, log, i, d)
	}
	if resp == nil {
		log.LogAttrs(ctx, slog.LevelWarn, "unsupported interaction", slog.Int("type", int(i.Type)))
		resp = h.note("Sorry, I can't handle that yet. Try `/ask` or `/faq`.")
	}
	log.LogAttrs(ctx, slog.LevelDebug, "interaction answered", slog.Duration("took", h.cfg.Now().Sub(start)))
	return resp
}

func (h *Handler) command(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *discordgo.InteractionResponse {
	switch d.Name {
	case CmdAsk:
		q, _ := stringOption(d.Options, OptQuestion)
		private, ok := boolOption(d.Options, OptPrivate)
		if !ok {
			private = h.cfg.AskPrivate
		}
		if strings.TrimSpace(q) == "" {
			return h.note("Please type a question after `/ask`, for example: how long does a session take?")
		}
		// Triage first: urgent guidance is never held back by the cooldown.
		a := h.ask(ctx, log, i.GuildID, q)
		if a.Urgent {
			// A private /ask stays private; the alert brings in a human.
			h.cfg.Alerts.raise(ctx, alert{category: a.Category, guild: i.GuildID, channel: i.ChannelID, user: userID(i)})
		}
		if !a.Urgent {
			if r := h.limited(ctx, log, i); r != nil {
				return r
			}
		}
		return h.reply(ctx, log, a, private, h.answerKey(i.ID))
	case CmdFAQ:
		topic, _ := stringOption(d.Options, OptTopic)
		if r := h.limited(ctx, log, i); r != nil {
			return r
		}
		return h.reply(ctx, log, h.show(ctx, log, topic), h.cfg.AskPrivate, h.answerKey(i.ID))
	case CmdAbout:
		d := Render(bot.Answer{Kind: bot.OffTopic, Text: h.about(), Advice: h.advice()})
		d.Embeds[0].Title = "About this assistant"
		d.Flags = discordgo.MessageFlagsEphemeral
		return message(d)
	case CmdAdmin:
		return h.admin(ctx, i, d)
	}
	return nil
}

func (h *Handler) component(ctx context.Context, log *slog.Logger, i *discordgo.Interaction, d discordgo.MessageComponentInteractionData) *discordgo.InteractionResponse {
	if id, ok := strings.CutPrefix(d.CustomID, FAQPrefix); ok {
		if r := h.limited(ctx, log, i); r != nil {
			return r
		}
		a, found := h.a.Show(id)
		if !found {
			return h.note("That topic is no longer in the FAQ. Try `/faq` to pick another.")
		}
		// A related topic goes to the one who clicked, whatever the message was.
		return h.reply(ctx, log, a, true, h.answerKey(i.ID))
	}
	if id, ok := strings.CutPrefix(d.CustomID, SharePrefix); ok {
		if r := h.limited(ctx, log, i); r != nil {
			return r
		}
		a, found := h.a.Show(id)
		if !found {
			return h.note("That topic is no longer in the FAQ, so it can't be shared.")
		}
		log.LogAttrs(ctx, slog.LevelInfo, "answer shared", slog.String("entry", id))
		r := h.reply(ctx, log, a, false, h.answerKey(i.ID))
		if u := userID(i); u != "" {
			// A mention that pings no one: allowed_mentions parses nothing.
			r.Data.Content = clip("<@"+u+"> shared this answer.", MaxContent)
		}
		return r
	}
	if strings.HasPrefix(d.CustomID, VotePrefix) {
		return h.vote(ctx, log, i, d.CustomID)
	}
	if strings.HasPrefix(d.CustomID, AdminPrefix) {
		return h.adminComponent(ctx, i, d)
	}
	return nil
}

// ask asks the assistant, logging the outcome and never the question text
// unless LogQuestions is set, and then at debug level only, and records the
// outcome (feedback.go).
func (h *Handler) ask(ctx context.Context, log *slog.Logger, guild, q string) bot.Answer {
	q = strings.TrimSpace(q)
	if h.cfg.LogQuestions {
		log.LogAttrs(ctx, slog.LevelDebug, "question", slog.String("text", q))
	}
	start := time.Now()
	ans, err := h.a.Ask(q)
	h.obs.Question(questionKind(ans, err), time.Since(start))
	if err != nil {
		// the search failed: say so, never pretend nothing matched
		log.Error("answer failed", "err", err)
		return bot.Answer{Kind: bot.NoMatch, Text: failedText, Advice: h.advice()}
	}
	h.record(ctx, log, guild, q, ans, time.Since(start))
	return ans
}

// failedText is the reply when the assistant could not search.
const failedText = "Sorry, I couldn't look that up just now. Please try again in a moment."

// show is the entry picked in /faq: its id (from autocomplete), else the best
// suggestion for what was typed, else a no-match answer listing suggestions.
func (h *Handler) show(ctx context.Context, log *slog.Logger, topic string) bot.Answer {
	topic = strings.TrimSpace(topic)
	if a, ok := h.a.Show(topic); ok {
		return a
	}
	if h.cfg.LogQuestions {
		log.LogAttrs(ctx, slog.LevelDebug, "faq topic typed", slog.String("text", topic))
	}
	refs := h.a.Suggest(topic, MaxRelated+1)
	if len(refs) > 0 && topic != "" {
		if a, ok := h.a.Show(refs[0].ID); ok {
			return a
		}
	}
	return bot.Answer{Kind: bot.NoMatch, Advice: h.advice(), Related: refs,
		Text: "No FAQ entry matches that topic. Pick one of the suggestions as you type, or ask with `/ask`."}
}

// reply renders an answer; private replies are ephemeral and, when they
// answer from an entry and raise no alarm, get a Share button. Answers from
// an entry get 👍/👎 buttons for the answer key.
func (h *Handler) reply(ctx context.Context, log *slog.Logger, a bot.Answer, private bool, key string) *discordgo.InteractionResponse {
	h.logAnswer(ctx, log, a, slog.Bool("private", private))

	d := Render(a)
	if private {
		d.Flags = discordgo.MessageFlagsEphemeral
		if !a.Urgent {
			WithShareButton(d, ShareID(a))
		}
	}
	WithVoteButtons(d, a, key)
	return message(d)
}

// limited returns a friendly note when the user is over the cooldown, else nil.
func (h *Handler) limited(ctx context.Context, log *slog.Logger, i *discordgo.Interaction) *discordgo.InteractionResponse {
	ok, wait := h.cool.allow(userID(i), h.cfg.Now())
	if ok {
		return nil
	}
	log.LogAttrs(ctx, slog.LevelInfo, "cooldown", slog.Duration("wait", wait))
	secs := int(math.Ceil(wait.Seconds()))
	return h.note(fmt.Sprintf("You're asking faster than I can keep up. Please wait %d second%s and try again.", secs, plural(secs)))
}

// advice is the advice every reply carries, asked of the assistant each
// time: a reload may have changed it.
func (h *Handler) advice() string {
	none, _ := h.a.Ask("") // every answer carries the advice
	return none.Advice
}

// note is a short ephemeral message, with the advice when it fits.
func (h *Handler) note(text string) *discordgo.InteractionResponse {
	content := text
	if advice := h.advice(); advice != "" {
		if c := text + "\n\n*" + sanitize(advice) + "*"; Len(c) <= MaxContent {
			content = c
		}
	}
	return message(&discordgo.InteractionResponseData{
		Content:         clip(content, MaxContent),
		Flags:           discordgo.MessageFlagsEphemeral,
		AllowedMentions: noMentions(),
	})
}

func (h *Handler) about() string {
	n := len(h.a.Topics())
	about := ""
	if t := h.a.Topic(); t != "" {
		about = " about " + t
	}
	return fmt.Sprintf("I answer questions%s "+
		"from a curated FAQ of %d entries. Every answer quotes the source material it rests on; when no entry "+
		"covers a question I say so rather than guess, and if a message sounds like an emergency I say what to do first.\n\n"+
		"• `/ask` — ask in your own words (private by default; you can share an answer)\n"+
		"• `/faq` — pick a topic as you type\n"+
		"• mention me, or send me a direct message\n\n"+
		"I am not a doctor and cannot assess your situation. %s", about, n, h.kept())
}

// autocomplete suggests entries for the focused option: the name is the
// question, the value the entry id.
func (h *Handler) autocomplete(d discordgo.ApplicationCommandInteractionData) *discordgo.InteractionResponse {
	typed := ""
	for _, o := range d.Options {
		if o.Focused {
			typed, _ = o.Value.(string)
		}
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, r := range h.a.Suggest(typed, MaxChoices) {
		name := clip(oneLine(r.Question), MaxChoiceName)
		if name == "" || r.ID == "" || Len(r.ID) > MaxChoiceName || len(choices) == MaxChoices {
			continue
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: r.ID})
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}
}

// Message returns the reply to a channel message, or nil when the bot should
// stay silent: messages from bots (itself included) and webhooks, and in
// servers messages that do not mention the bot. Direct messages are always
// answered. A user over the cooldown gets no reply, so as not to add noise,
// unless the message raises an alarm.
func (h *Handler) Message(ctx context.Context, m *discordgo.Message, botID string) *discordgo.MessageSend {
	if m == nil || m.Author == nil || m.Author.Bot || m.Author.System || m.Author.ID == botID || m.WebhookID != "" {
		return nil
	}
	if m.GuildID != "" && !mentions(m, botID) {
		return nil
	}
	log := h.log.With(slog.String("message", m.ID), slog.String("user", m.Author.ID), slog.Bool("dm", m.GuildID == ""))
	a := h.ask(ctx, log, m.GuildID, stripMention(m.Content, botID))
	if !a.Urgent { // urgent guidance is never held back by the cooldown
		if ok, wait := h.cool.allow(m.Author.ID, h.cfg.Now()); !ok {
			log.LogAttrs(ctx, slog.LevelInfo, "cooldown", slog.Duration("wait", wait))
			return nil
		}
	}
	if a.Urgent {
		h.cfg.Alerts.raise(ctx, alert{category: a.Category, guild: m.GuildID, channel: m.ChannelID, message: m.ID})
	}
	h.logAnswer(ctx, log, a)
	send := RenderMessage(a, m.SoftReference())
	withVoteButtonsMessage(send, a, h.answerKey(m.ID))
	return send
}

// logAnswer logs what was answered. log carries the user id, so a red flag
// is never logged here: whether a message raised one, and which, is health
// data tied to a person. (Counters without ids may come later.)
func (h *Handler) logAnswer(ctx context.Context, log *slog.Logger, a bot.Answer, more ...slog.Attr) {
	attrs := append([]slog.Attr{slog.String("kind", string(a.Kind))}, more...)
	if a.Entry != nil {
		attrs = append(attrs, slog.String("entry", a.Entry.ID))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "answered", attrs...)
}

func mentions(m *discordgo.Message, botID string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == botID {
			return true
		}
	}
	return false
}

// stripMention removes the bot's mentions (<@id> and the older <@!id>).
func stripMention(s, botID string) string {
	if botID != "" {
		s = strings.NewReplacer("<@"+botID+">", " ", "<@!"+botID+">", " ").Replace(s)
	}
	return strings.TrimSpace(s)
}

func message(d *discordgo.InteractionResponseData) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: d}
}

// userID is the id of whoever triggered the interaction, in a server or a DM.
func userID(i *discordgo.Interaction) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return i.Member.User.ID
	case i.User != nil:
		return i.User.ID
	}
	return ""
}

// stringOption and boolOption read an option without discordgo's
// StringValue and BoolValue, which panic on a value of another type.
func stringOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) (string, bool) {
	for _, o := range opts {
		if o != nil && o.Name == name {
			s, ok := o.Value.(string)
			return s, ok
		}
	}
	return "", false
}

func boolOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) (bool, bool) {
	for _, o := range opts {
		if o != nil && o.Name == name {
			b, ok := o.Value.(bool)
			return b, ok
		}
	}
	return false, false
}

// componentPrefix is the kind of a custom id, safe to log.
func componentPrefix(id string) string {
	if p, _, ok := strings.Cut(id, ":"); ok {
		return p
	}
	return "unknown"
}
