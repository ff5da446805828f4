// Package discord is the Discord adapter of avnbot: it turns interactions and
// messages into questions for the assistant and renders its answers as Discord
// payloads. Rendering is a pure function of a bot.Answer; handlers return the
// reply instead of sending it, so everything here is tested without a network.
package discord

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot"
)

// Discord's limits on a message. Lengths are counted in UTF-16 code units
// (see Len), which is never less than the count of Unicode code points that
// Discord's API applies, so a payload within these limits is within Discord's.
const (
	MaxContent       = 2000
	MaxEmbeds        = 10
	MaxEmbedTitle    = 256
	MaxEmbedDesc     = 4096
	MaxFields        = 25
	MaxFieldName     = 256
	MaxFieldValue    = 1024
	MaxFooter        = 2048
	MaxEmbedTotal    = 6000 // title, description, field names and values, footer and author of all embeds
	MaxButtonLabel   = 80
	MaxCustomID      = 100
	MaxButtonsPerRow = 5
	MaxActionRows    = 5
	MaxRelated       = 3 // related entries shown as buttons
)

// Custom id prefixes of the buttons the adapter renders and handles.
const (
	FAQPrefix   = "faq:"   // faq:<entry-id> shows that entry
	SharePrefix = "share:" // share:<entry-id> posts that entry publicly
)

// AdviceHeading names the field that carries the medical-assessment advice.
const AdviceHeading = "Please seek a medical assessment"

// Embed colours.
const (
	colorUrgent  = 0xED4245 // red
	colorAnswer  = 0x5865F2 // blurple
	colorNoMatch = 0xFEE75C // yellow
	colorHelp    = 0x99AAB5 // grey
)

// Len is the length of s as Discord's limits count it, in UTF-16 code units.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Render turns an answer into the data of an interaction response (type 4 or
// 7). Every limit of Discord's is respected for any answer; the advice and the
// urgent guidance are never dropped (see the package tests for the order in
// which other parts give way).
func Render(a bot.Answer) *discordgo.InteractionResponseData {
	r := build(a)
	return &discordgo.InteractionResponseData{
		Content:         r.content,
		Embeds:          r.embeds,
		Components:      r.components,
		AllowedMentions: noMentions(),
	}
}

// RenderMessage turns an answer into a channel message, a reply to replyTo
// when it is not nil (for answers to mentions and direct messages).
func RenderMessage(a bot.Answer, replyTo *discordgo.MessageReference) *discordgo.MessageSend {
	r := build(a)
	return &discordgo.MessageSend{
		Content:         r.content,
		Embeds:          r.embeds,
		Components:      r.components,
		AllowedMentions: noMentions(),
		Reference:       replyTo,
	}
}

// WithShareButton adds a "Share in channel" button with the given custom id
// to d, in the last action row when it has room. It does nothing when the id
// is empty or too long, or when there is no room for another row.
func WithShareButton(d *discordgo.InteractionResponseData, customID string) {
	if d == nil || customID == "" || Len(customID) > MaxCustomID {
		return
	}
	b := discordgo.Button{Label: "Share in channel", Style: discordgo.PrimaryButton, CustomID: customID}
	if n := len(d.Components); n > 0 {
		if row, ok := d.Components[n-1].(discordgo.ActionsRow); ok && len(row.Components) < MaxButtonsPerRow {
			row.Components = append(row.Components[:len(row.Components):len(row.Components)], b)
			d.Components = append(d.Components[:n-1:n-1], row)
			return
		}
	}
	if len(d.Components) >= MaxActionRows {
		return
	}
	d.Components = append(d.Components[:len(d.Components):len(d.Components)], discordgo.ActionsRow{Components: []discordgo.MessageComponent{b}})
}

// ShareID is the custom id of the share button for an answered entry, or ""
// when the answer has no entry or its id does not fit a custom id.
func ShareID(a bot.Answer) string {
	if a.Kind != bot.Answered || a.Entry == nil || a.Entry.ID == "" {
		return ""
	}
	id := SharePrefix + a.Entry.ID
	if Len(id) > MaxCustomID {
		return ""
	}
	return id
}

// noMentions blocks every mention: the slice is empty, not nil, so the JSON
// says "parse":[].
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// reply is what Render and RenderMessage share.
type reply struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
}

// build lays out an answer. Parts are placed in order of priority, each
// within what the parts before it left of the 6000-character embed budget:
// urgent guidance, advice (for a crisis, the crisis closing), the entry's
// title, the answer text, the first quote, further quotes, the list of
// related topics. A further answer to a second question of the message gets
// an embed of its own, and the answers share the budget left. Related
// buttons do not count against the budget.
func build(a bot.Answer) reply {
	var r reply
	budget := MaxEmbedTotal

	guidance := sanitize(strings.TrimSpace(a.Guidance))
	heading, advice := closing(a)
	advice = sanitize(strings.TrimSpace(advice))

	// 1. Urgent or crisis guidance leads: bold content, and a red embed.
	var urgent *discordgo.MessageEmbed
	if a.Urgent {
		urgent = &discordgo.MessageEmbed{Color: colorUrgent, Title: clip(urgentTitle(a), MaxEmbedTitle)}
		budget -= Len(urgent.Title)
		switch {
		case guidance == "":
		case Len(guidance)+4 <= MaxContent:
			r.content = "**" + guidance + "**"
		case Len(guidance) <= MaxContent:
			r.content = guidance
		default: // too long for content: the embed carries it
			urgent.Description = clip(guidance, min(MaxEmbedDesc, budget))
			budget -= Len(urgent.Description)
		}
		r.embeds = append(r.embeds, urgent)
	}

	// 2. The body embed, when there is anything to say besides the guidance,
	// and one more for each further question the message asked.
	title, color := bodyTitle(a)
	text := sanitize(strings.TrimSpace(a.Text))
	var body *discordgo.MessageEmbed
	if a.Kind == bot.Answered || text != "" || len(a.Related) > 0 || urgent == nil {
		body = &discordgo.MessageEmbed{Color: color}
		r.embeds = append(r.embeds, body)
	}
	var more []*discordgo.MessageEmbed
	if body != nil && a.Kind == bot.Answered {
		for range a.More[:min(len(a.More), MaxEmbeds-3)] { // urgent, body and advice may take three
			more = append(more, &discordgo.MessageEmbed{Color: colorAnswer})
		}
		r.embeds = append(r.embeds, more...)
	}

	// 3. The advice, always, on the last embed. A crisis reply carries it
	// too, but before its own closing line: the reply ends on reaching out,
	// not on treatment.
	if a.Crisis && heading != AdviceHeading {
		if medical := sanitize(strings.TrimSpace(a.Advice)); medical != "" {
			budget -= placeAdvice(&r, r.embeds[len(r.embeds)-1], AdviceHeading, medical, budget)
		}
	}
	if advice != "" {
		last := r.embeds[len(r.embeds)-1]
		budget -= placeAdvice(&r, last, heading, advice, budget)
	}

	if body != nil {
		// each answer gets an even share of what is left
		share := budget / (1 + len(more))
		body.Title = clip(title, min(MaxEmbedTitle, share))
		body.Description = describe(a, text, min(MaxEmbedDesc, share-Len(body.Title)))
		budget -= Len(body.Title) + Len(body.Description)
		for i, e := range more {
			m := a.More[i]
			part := bot.Answer{Kind: bot.Answered, Entry: &m.Entry, Citations: m.Citations}
			t, _ := bodyTitle(part)
			share := budget / (len(more) - i)
			e.Title = clip(t, min(MaxEmbedTitle, share))
			e.Description = describe(part, sanitize(strings.TrimSpace(m.Text)), min(MaxEmbedDesc, share-Len(e.Title)))
			budget -= Len(e.Title) + Len(e.Description)
		}
	}

	r.components = relatedButtons(a.Related)
	return r
}

// CrisisHeading names the field that closes a crisis reply.
const CrisisHeading = "Please reach out"

// closing is the heading and text that close a reply: the medical-assessment
// advice, or for a crisis the crisis closing (a crisis reply does not end on
// treatment advice; it carries it before). An answer without a crisis
// closing keeps the advice.
func closing(a bot.Answer) (heading, text string) {
	if a.Crisis && strings.TrimSpace(a.Closing) != "" {
		return CrisisHeading, a.Closing
	}
	return AdviceHeading, a.Advice
}

// placeAdvice puts the closing text on e as a field when it fits one, else as
// the description of an embed of its own, and returns the characters it used.
func placeAdvice(r *reply, e *discordgo.MessageEmbed, heading, advice string, budget int) int {
	if Len(advice) <= MaxFieldValue {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: heading, Value: advice})
		return Len(heading) + Len(advice)
	}
	// Longer than a field: an embed of its own. Beyond 4096 characters it
	// cannot be sent whole in any one place; such a text fails no check of
	// knowledge's, so it is cut rather than the reply failing.
	own := &discordgo.MessageEmbed{Color: e.Color, Title: heading}
	own.Description = clip(advice, min(MaxEmbedDesc, budget-Len(heading)))
	r.embeds = append(r.embeds, own)
	return Len(own.Title) + Len(own.Description)
}

// urgentTitle never names the red-flag category: the person needs the
// guidance, not our reading of their message.
func urgentTitle(a bot.Answer) string {
	if a.Crisis {
		return "You are not alone — support is available now"
	}
	return "This may be an emergency"
}

func bodyTitle(a bot.Answer) (string, int) {
	switch {
	case a.Kind == bot.Answered && a.Entry != nil && strings.TrimSpace(a.Entry.Question) != "":
		return sanitize(strings.TrimSpace(a.Entry.Question)), colorAnswer
	case a.Kind == bot.Answered:
		return "Answer", colorAnswer
	case a.Kind == bot.NoMatch:
		return "No curated answer for this yet", colorNoMatch
	default:
		return "What I can help with", colorHelp
	}
}

// describe builds the body's description within max characters: the text,
// then the quotes (answers) or the closest topics (no match). Lower parts give
// way first; the first quote keeps up to a quarter of the room.
func describe(a bot.Answer, text string, max int) string {
	if max <= 0 {
		return ""
	}
	const sep = "\n\n"
	var quotes []string
	for _, c := range a.Citations {
		if q := strings.TrimSpace(c.Quote); q != "" {
			quotes = append(quotes, sanitize(q)+"\x00"+sanitize(strings.TrimSpace(c.Source)))
		}
	}
	topics := ""
	if a.Kind != bot.Answered && len(a.Related) > 0 {
		var b strings.Builder
		b.WriteString("Closest topics:")
		n := 0
		for _, ref := range a.Related {
			if q := clip(oneLine(sanitize(ref.Question)), 200); q != "" {
				b.WriteString("\n• " + q)
				n++
			}
		}
		if n > 0 {
			topics = b.String()
		}
	}

	// Room kept for the first quote while the text is placed.
	reserve := 0
	if len(quotes) > 0 {
		reserve = min(quoteLen(quotes[0]), max/4) + Len(sep)
	}
	var b strings.Builder
	used := 0
	add := func(s string) {
		if s == "" {
			return
		}
		if used > 0 {
			b.WriteString(sep)
			used += Len(sep)
		}
		b.WriteString(s)
		used += Len(s)
	}
	room := func() int { // room for one more part, after its separator
		if used == 0 {
			return max
		}
		return max - used - Len(sep)
	}

	add(clip(text, max-reserve))
quotes:
	for i, q := range quotes {
		full := quoteBlock(q, -1)
		switch {
		case Len(full) <= room():
			add(full)
		case i == 0 && room() > 0:
			add(quoteBlock(q, room()))
		default:
			more := len(quotes) - i
			note := "*(" + strconv.Itoa(more) + " more quote" + plural(more) + " not shown)*"
			if Len(note) <= room() {
				add(note)
			}
			break quotes
		}
	}
	if topics != "" {
		if Len(topics) <= room() {
			add(topics)
		} else if r := room(); r > 40 {
			add(clip(topics, r))
		}
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// quoteLen is the length of the full block of q.
func quoteLen(q string) int { return Len(quoteBlock(q, -1)) }

// quoteBlock renders q ("quote\x00source title") as a Markdown block quote
// with "> " on every line, then "— *source*". With max >= 0 the quote (never
// the source line) is cut so the block fits; it returns "" when nothing of the
// quote would be left.
func quoteBlock(q string, max int) string {
	quote, source, _ := strings.Cut(q, "\x00")
	tail := ""
	if source != "" {
		tail = "\n— *" + clip(oneLine(source), 200) + "*"
	}
	render := func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight("> "+strings.TrimSpace(l), " ")
		}
		return strings.Join(lines, "\n") + tail
	}
	out := render(quote)
	if max < 0 || Len(out) <= max {
		return out
	}
	// Each line adds "> "; cut until it fits.
	for n := max - Len(tail) - 2; n > 0; n -= 8 {
		out = render(clip(quote, n))
		if Len(out) <= max {
			return out
		}
	}
	return ""
}

// relatedButtons renders up to MaxRelated related entries as buttons in one
// action row, skipping entries whose id does not fit a custom id and
// duplicates (Discord rejects a message with two equal custom ids).
func relatedButtons(refs []bot.Ref) []discordgo.MessageComponent {
	var buttons []discordgo.MessageComponent
	seen := map[string]bool{}
	for _, ref := range refs {
		if len(buttons) == MaxRelated {
			break
		}
		id := FAQPrefix + ref.ID
		if ref.ID == "" || Len(id) > MaxCustomID || seen[id] {
			continue
		}
		seen[id] = true
		label := clip(oneLine(sanitize(ref.Question)), MaxButtonLabel)
		if label == "" {
			label = clip(oneLine(sanitize(ref.ID)), MaxButtonLabel)
		}
		if label == "" {
			label = "Related topic"
		}
		buttons = append(buttons, discordgo.Button{Label: label, Style: discordgo.SecondaryButton, CustomID: id})
	}
	if len(buttons) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
}

// sanitize neutralises mass mentions with a zero-width space. allowed_mentions
// is the real guard; this keeps "@everyone" from even looking like a ping.
func sanitize(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return strings.NewReplacer("@everyone", "@\u200beveryone", "@here", "@\u200bhere").Replace(s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

const ellipsis = "…"

// clip returns s when it fits max characters (see Len), else s cut at a rune
// boundary, preferably at a space near the end, with Markdown markers left
// open by the cut removed, and an ellipsis added. It never returns more than
// max characters; for max < 1 it returns "".
func clip(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD") // as JSON would send it
	if Len(s) <= max {
		return s
	}
	if max < 1 {
		return ""
	}
	// The longest prefix that leaves room for the ellipsis.
	// An invalid byte decodes as U+FFFD but is one byte wide (and one
	// UTF-16 unit, as JSON encodes it as \ufffd), so the width comes
	// from the decoder, not from the rune.
	n, end := 0, 0
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		w := utf16.RuneLen(r)
		if n+w > max-Len(ellipsis) {
			break
		}
		n += w
		end += size
	}
	cut := s[:end]
	// Prefer a word boundary within the last 32 bytes when the cut splits a word.
	next, _ := utf8.DecodeRuneInString(s[end:])
	if i := strings.LastIndexFunc(cut, unicode.IsSpace); i > 0 && len(cut)-i <= 32 && !unicode.IsSpace(next) {
		cut = cut[:i]
	}
	cut = closeMarkdown(cut)
	return strings.TrimRightFunc(cut, unicode.IsSpace) + ellipsis
}

// closeMarkdown drops the tail of a cut text from the last marker that the cut
// left unpaired: a code fence, inline code, bold, underline, strike-through or
// a link whose target was cut.
func closeMarkdown(s string) string {
	for {
		before := s
		if strings.Count(s, "```")%2 == 1 {
			s = s[:strings.LastIndex(s, "```")]
		}
		if (strings.Count(s, "`")-3*strings.Count(s, "```"))%2 == 1 {
			s = s[:lastSingle(s, '`')]
		}
		for _, m := range []string{"**", "__", "~~", "||"} {
			if strings.Count(s, m)%2 == 1 {
				s = s[:strings.LastIndex(s, m)]
			}
		}
		if i := strings.LastIndex(s, "]("); i >= 0 && !strings.Contains(s[i:], ")") {
			s = s[:i] // the link's text stays, as plain text
			if j := strings.LastIndex(s, "["); j >= 0 {
				s = s[:j] + s[j+1:]
			}
		}
		if i := strings.LastIndex(s, "["); i >= 0 && !strings.Contains(s[i:], "]") {
			s = s[:i]
		}
		if s == before {
			return s
		}
	}
}

// lastSingle is the index of the last c in s that is not part of a run of
// three.
func lastSingle(s string, c byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != c {
			continue
		}
		j := i
		for j > 0 && s[j-1] == c {
			j--
		}
		if i-j+1 != 3 {
			return i
		}
		i = j
	}
	return len(s)
}
