package discord

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/store"
)

// The moderators' command, /faq-admin, and its subcommands.
const (
	CmdAdmin      = "faq-admin"
	SubReload     = "reload"
	SubPreview    = "preview"
	SubUnanswered = "unanswered"
	SubStats      = "stats"
	OptDays       = "days"

	// AdminPrefix starts the custom ids of /faq-admin's buttons:
	// adm:<cover|dismiss>:<days>:<group hash>.
	AdminPrefix = "adm:"

	DefaultUnansweredDays = 30 // the default retention: every open question
	DefaultStatsDays      = 7
	MaxDays               = 365

	adminGroups  = 10 // groups /faq-admin unanswered lists
	adminButtons = 5  // of which the first get buttons (one row each)
	previewTop   = 3  // candidates shown per piece of a previewed message
)

// Reloader reloads the knowledge the assistant answers from, for
// /faq-admin reload. cmd/avnbot adapts the live-reloading assistant to it.
type Reloader interface {
	Reload(ctx context.Context) ReloadResult
}

// ReloadFunc adapts a function to Reloader.
type ReloadFunc func(ctx context.Context) ReloadResult

// Reload calls f.
func (f ReloadFunc) Reload(ctx context.Context) ReloadResult { return f(ctx) }

// ReloadResult is what a reload did, for a moderator.
type ReloadResult struct {
	Summary                string   // one line: the version now live, how long it took
	Unchanged              bool     // the files are those already live
	Added, Removed, Edited []string // entry ids
	// Problems is every problem of the new knowledge ("file:line: ..."):
	// it was refused and the previous knowledge is still served.
	Problems []string
	// Err is a failure that is not the knowledge's fault; nothing changed.
	Err error
}

// Explainer is what /faq-admin preview needs of the assistant;
// *bot.Assistant has it.
type Explainer interface {
	Explain(question string, top int) (bot.Answer, bot.Trace, error)
}

// adminCommand is /faq-admin: visible by default only to members who can
// manage the server, never in DMs. Server admins may change who sees it
// (Server Settings > Integrations); every interaction is checked again
// against the member's permissions and roles all the same.
func adminCommand() *discordgo.ApplicationCommand {
	perm := int64(discordgo.PermissionManageGuild)
	dm := false
	guild := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	one := 1.0
	minLen := 1
	days := func(def int) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionInteger, Name: OptDays,
			Description: fmt.Sprintf("How many days back (default %d)", def),
			MinValue:    &one, MaxValue: MaxDays,
		}
	}
	return &discordgo.ApplicationCommand{
		Name:                     CmdAdmin,
		Type:                     discordgo.ChatApplicationCommand,
		Description:              "Moderators: reload the FAQ, preview an answer, unanswered questions, statistics",
		DefaultMemberPermissions: &perm,
		DMPermission:             &dm,
		Contexts:                 &guild,
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: SubReload,
				Description: "Reload the FAQ from its files: what changed, or every problem"},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: SubPreview,
				Description: "How the bot would answer a question, with its candidates and why",
				Options: []*discordgo.ApplicationCommandOption{{
					Type: discordgo.ApplicationCommandOptionString, Name: OptQuestion,
					Description: "The question, as a member would ask it", Required: true,
					MinLength: &minLen, MaxLength: MaxAskLength,
				}}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: SubUnanswered,
				Description: "The most asked questions the bot could not answer",
				Options:     []*discordgo.ApplicationCommandOption{days(DefaultUnansweredDays)}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: SubStats,
				Description: "Questions, answers, abstentions, red flags, votes and answer times",
				Options:     []*discordgo.ApplicationCommandOption{days(DefaultStatsDays)}},
		},
	}
}

// moderator reports whether the member behind i may use /faq-admin: in a
// server, with Manage Server (or Administrator) in the permissions Discord
// computed for the interaction, and with ModRoleID among their roles when it
// is set. The command's visibility in the client is never trusted alone.
func (h *Handler) moderator(i *discordgo.Interaction) bool {
	if i.GuildID == "" || i.Member == nil || i.Member.User == nil {
		return false
	}
	if i.Member.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) == 0 {
		return false
	}
	return h.cfg.ModRoleID == "" || slices.Contains(i.Member.Roles, h.cfg.ModRoleID)
}

// refused is the reply to someone who may not use /faq-admin.
func (h *Handler) refused(ctx context.Context, i *discordgo.Interaction) *discordgo.InteractionResponse {
	h.log.LogAttrs(ctx, slog.LevelWarn, "faq-admin refused", slog.String("interaction", i.ID),
		slog.String("user", userID(i)), slog.String("guild", i.GuildID))
	text := "This command is for the server's moderators (Manage Server permission"
	if h.cfg.ModRoleID != "" {
		text += " and the moderators' role"
	}
	return private(text + "), in a server.")
}

// admin answers /faq-admin. Its log carries no user id: a previewed
// question is never tied to the moderator who typed it.
func (h *Handler) admin(ctx context.Context, i *discordgo.Interaction, d discordgo.ApplicationCommandInteractionData) *discordgo.InteractionResponse {
	if !h.moderator(i) {
		return h.refused(ctx, i)
	}
	log := h.log.With(slog.String("interaction", i.ID), slog.String("command", CmdAdmin))
	if len(d.Options) != 1 || d.Options[0] == nil || d.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		return private("Use one of `/faq-admin reload`, `preview`, `unanswered` or `stats`.")
	}
	sub := d.Options[0]
	log = log.With(slog.String("subcommand", sub.Name))
	switch sub.Name {
	case SubReload:
		return h.adminReload(ctx, log)
	case SubPreview:
		q, _ := stringOption(sub.Options, OptQuestion)
		return h.adminPreview(ctx, log, q)
	case SubUnanswered:
		days := intOption(sub.Options, OptDays, DefaultUnansweredDays)
		return h.adminUnanswered(ctx, log, i.GuildID, days, "")
	case SubStats:
		return h.adminStats(ctx, log, i.GuildID, intOption(sub.Options, OptDays, DefaultStatsDays))
	}
	return private("Unknown subcommand. Use one of `/faq-admin reload`, `preview`, `unanswered` or `stats`.")
}

// adminComponent handles the buttons of /faq-admin unanswered, checking
// the clicking member again.
func (h *Handler) adminComponent(ctx context.Context, i *discordgo.Interaction, d discordgo.MessageComponentInteractionData) *discordgo.InteractionResponse {
	if !h.moderator(i) {
		return h.refused(ctx, i)
	}
	log := h.log.With(slog.String("interaction", i.ID), slog.String("component", "adm"))
	parts := strings.Split(strings.TrimPrefix(d.CustomID, AdminPrefix), ":")
	if len(parts) != 3 {
		return private("Sorry, I can't read that button.")
	}
	var status store.Status
	switch parts[0] {
	case "cover":
		status = store.StatusCovered
	case "dismiss":
		status = store.StatusDismissed
	default:
		return private("Sorry, I can't read that button.")
	}
	days, err := strconv.Atoi(parts[1])
	if err != nil || days < 1 || days > MaxDays {
		return private("Sorry, I can't read that button.")
	}
	groups, err := h.cfg.Store.Unanswered(ctx, i.GuildID, since(days), 0)
	if err != nil {
		return h.storeFailed(ctx, log, err)
	}
	var g *store.Group
	for k := range groups {
		if groupHash(groups[k].Key) == parts[2] {
			g = &groups[k]
			break
		}
	}
	if g == nil {
		return h.adminUnanswered(ctx, log, i.GuildID, days, "That group is no longer open: another moderator may have handled it.")
	}
	n, err := h.cfg.Store.MarkGroup(ctx, i.GuildID, g.Key, status)
	if err != nil {
		return h.storeFailed(ctx, log, err)
	}
	log.LogAttrs(ctx, slog.LevelInfo, "unanswered group marked", slog.String("status", string(status)),
		slog.Int64("questions", n), slog.String("user", userID(i)))
	note := fmt.Sprintf("Marked %d question%s like “%s” as %s.", n, plural(int(n)), clip(markdownText(g.Example), 200), status)
	return h.adminUnanswered(ctx, log, i.GuildID, days, note)
}

// adminReload reloads the knowledge and says what changed, or every problem.
func (h *Handler) adminReload(ctx context.Context, log *slog.Logger) *discordgo.InteractionResponse {
	if h.cfg.Reloader == nil {
		return private("Reload is not configured: this bot answers from the knowledge it loaded at start-up. " +
			"Restart it to pick up edits.")
	}
	r := h.cfg.Reloader.Reload(ctx)
	log.LogAttrs(ctx, slog.LevelInfo, "reload requested", slog.Int("problems", len(r.Problems)), slog.Bool("failed", r.Err != nil))
	e := &discordgo.MessageEmbed{Color: colorAnswer}
	switch {
	case r.Err != nil:
		e.Color, e.Title = colorUrgent, "Reload failed: still serving the previous FAQ"
		e.Description = clip(sanitize(r.Err.Error()), MaxEmbedDesc)
	case len(r.Problems) > 0:
		e.Color = colorNoMatch
		e.Title = fmt.Sprintf("Reload refused: %d problem%s; still serving the previous FAQ", len(r.Problems), plural(len(r.Problems)))
		e.Description = codeList(r.Problems, MaxEmbedDesc)
	case r.Unchanged:
		e.Title = "Nothing to reload: the files are those already live"
	default:
		e.Title = "Reloaded"
		var b strings.Builder
		for _, c := range []struct {
			what string
			ids  []string
		}{{"Added", r.Added}, {"Removed", r.Removed}, {"Edited", r.Edited}} {
			if len(c.ids) > 0 {
				fmt.Fprintf(&b, "**%s** (%d): %s\n", c.what, len(c.ids), "`"+strings.Join(c.ids, "`, `")+"`")
			}
		}
		if b.Len() == 0 {
			b.WriteString("No entry changed.\n")
		}
		e.Description = clip(sanitize(b.String()), MaxEmbedDesc-MaxFooter)
	}
	if s := strings.TrimSpace(r.Summary); s != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: clip(sanitize(oneLine(s)), 500)}
	}
	return privateEmbeds(e)
}

// codeList is lines in a code block within max characters, with a count of
// the lines left out.
func codeList(lines []string, max int) string {
	const open, close = "```\n", "```"
	var b strings.Builder
	b.WriteString(open)
	for k, l := range lines {
		// One line each, and no line so long it hides the others.
		l = sanitize(clip(strings.ReplaceAll(oneLine(l), "```", "'''"), 400)) + "\n"
		if Len(b.String())+Len(l)+Len(close)+40 > max {
			b.WriteString(close)
			return b.String() + fmt.Sprintf("\n… and %d more", len(lines)-k)
		}
		b.WriteString(l)
	}
	b.WriteString(close)
	return b.String()
}

// adminPreview shows how the assistant would answer q: the reply a member
// would get, and its candidates with their probabilities and why. It is
// neither recorded nor logged.
func (h *Handler) adminPreview(ctx context.Context, log *slog.Logger, q string) *discordgo.InteractionResponse {
	ex, ok := h.a.(Explainer)
	if !ok {
		return private("Preview is not available with this assistant.")
	}
	if strings.TrimSpace(q) == "" {
		return private("Type the question to preview after `/faq-admin preview`.")
	}
	ans, tr, err := ex.Explain(strings.TrimSpace(q), previewTop)
	if err != nil {
		log.LogAttrs(ctx, slog.LevelError, "preview failed", slog.String("err", err.Error()))
		return private("Sorry, I couldn't look that up just now. Please try again in a moment.")
	}
	d := Render(ans)
	var cal *bot.Calibration
	if m, ok := h.a.(interface{ Model() *bot.Model }); ok && m.Model() != nil {
		c := m.Model().Folds()
		cal = &c
	}
	head := previewText(ans, tr, cal)
	if d.Content != "" {
		d.Content = clip(head, MaxContent-Len(d.Content)-2) + "\n\n" + d.Content
	} else {
		d.Content = clip(head, MaxContent)
	}
	d.Flags = discordgo.MessageFlagsEphemeral
	return message(d)
}

// previewText explains a decision: the outcome (with how often held-out
// questions of that probability were answered rightly, when cal is set),
// then each piece of the message searched with its top candidates.
func previewText(a bot.Answer, tr bot.Trace, cal *bot.Calibration) string {
	var b strings.Builder
	b.WriteString("**Preview**: only you see this, and it is not recorded.\n")
	switch {
	case a.Crisis:
		b.WriteString("Outcome: **crisis guidance** only (a red flag about suicide or self-harm).")
	case a.Kind == bot.Answered:
		fmt.Fprintf(&b, "Outcome: **answered** from `%s` (probability %.2f; it answers at %.2f or more).", a.Entry.ID, a.Confidence, tr.Target)
		if cal != nil {
			for _, bin := range cal.Bins {
				if bin.N > 0 && a.Confidence >= bin.Lo && (a.Confidence < bin.Hi || bin.Hi >= 1) {
					fmt.Fprintf(&b, " Held-out questions given %.1f–%.1f were answered rightly %.0f%% of the time (%d of them).", bin.Lo, bin.Hi, 100*bin.Observed, bin.N)
					break
				}
			}
		}
	default:
		fmt.Fprintf(&b, "Outcome: **abstains** (%s): no candidate reaches %.2f.", strings.ReplaceAll(string(a.Kind), "_", " "), tr.Target)
	}
	if a.Urgent && !a.Crisis {
		b.WriteString(" Urgent guidance leads the reply.")
	}
	for _, p := range tr.Pieces {
		what := "part"
		if p.Whole {
			what = "whole message"
		}
		fmt.Fprintf(&b, "\n\n%s: “%s”", what, clip(markdownText(oneLine(p.Text)), 200))
		if p.Answered {
			b.WriteString(" ✓ answered in the reply")
		}
		if len(p.Candidates) == 0 {
			b.WriteString("\n• no candidate")
		}
		for _, c := range p.Candidates {
			fmt.Fprintf(&b, "\n• `%.2f` `%s`", c.Probability, c.ID)
			if w := strings.TrimSpace(c.Why); w != "" {
				b.WriteString(": " + clip(markdownText(oneLine(w)), 160))
			}
		}
	}
	return sanitize(b.String())
}

// adminUnanswered lists the most asked open unanswered questions of the
// guild, grouped by similarity, with buttons to mark the first groups
// covered or dismissed. note, when set, leads the reply.
func (h *Handler) adminUnanswered(ctx context.Context, log *slog.Logger, guild string, days int, note string) *discordgo.InteractionResponse {
	groups, err := h.cfg.Store.Unanswered(ctx, guild, since(days), adminGroups)
	if err != nil {
		return h.storeFailed(ctx, log, err)
	}
	e := &discordgo.MessageEmbed{Color: colorNoMatch, Title: fmt.Sprintf("Unanswered questions: last %d day%s", days, plural(days))}
	var b strings.Builder
	if len(groups) == 0 {
		b.WriteString("No open unanswered questions.")
		if !h.cfg.RecordUnanswered {
			b.WriteString(" Recording them is off (`RECORD_UNANSWERED`): question text is health data, so it is kept only when the operator turns it on.")
		}
	}
	var rows []discordgo.MessageComponent
	for k, g := range groups {
		kinds := []string{}
		if g.NoMatch > 0 {
			kinds = append(kinds, fmt.Sprintf("no match %d", g.NoMatch))
		}
		if g.OffTopic > 0 {
			kinds = append(kinds, fmt.Sprintf("off topic %d", g.OffTopic))
		}
		line := fmt.Sprintf("**%d.** %d× “%s” (%s; last <t:%d:R>)\n", k+1, g.Count, clip(markdownText(oneLine(g.Example)), 300),
			strings.Join(kinds, ", "), g.Last.Unix())
		if Len(b.String())+Len(line) > MaxEmbedDesc-100 {
			fmt.Fprintf(&b, "… and %d more", len(groups)-k)
			break
		}
		b.WriteString(line)
		if k < adminButtons {
			hash := groupHash(g.Key)
			rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: fmt.Sprintf("%d: covered by an entry", k+1), Style: discordgo.SuccessButton,
					CustomID: fmt.Sprintf("%scover:%d:%s", AdminPrefix, days, hash)},
				discordgo.Button{Label: fmt.Sprintf("%d: dismiss", k+1), Style: discordgo.SecondaryButton,
					CustomID: fmt.Sprintf("%sdismiss:%d:%s", AdminPrefix, days, hash)},
			}})
		}
	}
	e.Description = sanitize(b.String())
	if len(groups) > 0 {
		e.Footer = &discordgo.MessageEmbedFooter{Text: "Texts are redacted. Marking a group marks every open question like it, whatever its age."}
	}
	r := privateEmbeds(e)
	r.Data.Content = clip(sanitize(note), MaxContent)
	r.Data.Components = rows
	return r
}

// adminStats sums the guild's questions and votes.
func (h *Handler) adminStats(ctx context.Context, log *slog.Logger, guild string, days int) *discordgo.InteractionResponse {
	st, err := h.cfg.Store.Stats(ctx, guild, since(days))
	if err != nil {
		return h.storeFailed(ctx, log, err)
	}
	e := &discordgo.MessageEmbed{Color: colorAnswer, Title: fmt.Sprintf("FAQ statistics: last %d day%s", days, plural(days))}
	abstained := st.NoMatch + st.OffTopic
	e.Fields = []*discordgo.MessageEmbedField{
		{Name: "Questions", Value: strconv.FormatInt(st.Questions, 10), Inline: true},
		{Name: "Answered", Value: count(st.Answered, st.Questions), Inline: true},
		{Name: "Abstained", Value: fmt.Sprintf("%s\nno match %d, off topic %d", count(abstained, st.Questions), st.NoMatch, st.OffTopic), Inline: true},
		{Name: "Urgent", Value: fmt.Sprintf("%s\nof which crisis %d", count(st.Urgent, st.Questions), st.Crisis), Inline: true},
		{Name: "Answer time", Value: fmt.Sprintf("p50 %s\np99 %s", latency(st.P50), latency(st.P99)), Inline: true},
	}
	e.Description = voteTable(st.Votes, MaxEmbedDesc-1000)
	return privateEmbeds(e)
}

// voteTable lists 👍/👎 per entry, most voted first, within max characters.
func voteTable(votes []store.EntryVotes, max int) string {
	if len(votes) == 0 {
		return "No 👍/👎 votes yet."
	}
	votes = slices.Clone(votes)
	slices.SortStableFunc(votes, func(x, y store.EntryVotes) int {
		return cmp.Or(cmp.Compare(y.Up+y.Down, x.Up+x.Down), strings.Compare(x.Entry, y.Entry))
	})
	var b strings.Builder
	b.WriteString("**👍 / 👎 per entry**\n")
	for k, v := range votes {
		line := fmt.Sprintf("`%s` 👍 %d 👎 %d\n", strings.ReplaceAll(clip(v.Entry, 80), "`", "'"), v.Up, v.Down)
		if Len(b.String())+Len(line)+20 > max {
			fmt.Fprintf(&b, "… and %d more", len(votes)-k)
			break
		}
		b.WriteString(line)
	}
	return sanitize(strings.TrimSpace(b.String()))
}

// count is n, with its share of total.
func count(n, total int64) string {
	if total == 0 {
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%d (%.0f%%)", n, 100*float64(n)/float64(total))
}

// latency rounds d for reading: microseconds below a millisecond.
func latency(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// storeFailed tells the moderator the record cannot be read, and why when
// it is the configuration.
func (h *Handler) storeFailed(ctx context.Context, log *slog.Logger, err error) *discordgo.InteractionResponse {
	if errors.Is(err, store.ErrNoStore) {
		return private("No database is configured, so nothing is recorded. The operator sets `DATABASE_URL` (see the README).")
	}
	log.LogAttrs(ctx, slog.LevelError, "store", slog.String("err", err.Error()))
	return private("Sorry, I couldn't read the record just now. Please try again in a moment.")
}

// since is the start of a window of days ending now. The store keeps its
// own times by the wall clock, so this does too.
func since(days int) time.Time { return time.Now().AddDate(0, 0, -days) }

// groupHash is the short form of a group key carried by a button.
func groupHash(key string) string {
	s := sha256.Sum256([]byte(key))
	return hex.EncodeToString(s[:8])
}

// markdownText neutralises Markdown in text quoted from users (a redacted
// question) so that it shows as typed.
func markdownText(s string) string {
	return strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "~", "\\~", "`", "\\`", "|", "\\|", ">", "\\>", "#", "\\#", "[", "\\[", "]", "\\]").Replace(s)
}

// private is a private reply to a moderator: the text alone, no advice.
func private(text string) *discordgo.InteractionResponse {
	return message(&discordgo.InteractionResponseData{
		Content:         clip(text, MaxContent),
		Flags:           discordgo.MessageFlagsEphemeral,
		AllowedMentions: noMentions(),
	})
}

// privateEmbeds is a private reply made of embeds.
func privateEmbeds(e ...*discordgo.MessageEmbed) *discordgo.InteractionResponse {
	return message(&discordgo.InteractionResponseData{
		Embeds:          e,
		Flags:           discordgo.MessageFlagsEphemeral,
		AllowedMentions: noMentions(),
	})
}

// intOption reads an integer option (JSON numbers arrive as float64),
// clamped to 1..MaxDays, or def when absent.
func intOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string, def int) int {
	for _, o := range opts {
		if o == nil || o.Name != name {
			continue
		}
		var n int
		switch v := o.Value.(type) {
		case float64:
			n = int(v)
		case int64:
			n = int(v)
		case int:
			n = v
		default:
			return def
		}
		return min(max(n, 1), MaxDays)
	}
	return def
}
