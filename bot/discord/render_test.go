package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The safety texts of knowledge/content/safety.yaml, as the bot passes them on.
const (
	testAdvice = "This is general information from the material, not a diagnosis or advice for your own situation. " +
		"Please seek a medical assessment from a qualified healthcare professional before deciding on any treatment."
	testUrgent = "This could be an emergency. Call your local emergency number now (999 in the UK, 911 in the US, " +
		"112 in Europe) or go to the nearest emergency department. Do not wait for an answer here."
	testClosing = "Please reach out now to someone you trust, or to one of the lines above. You are not alone."
	testCrisis  = "You matter, and you do not have to face this alone. If you might act on these thoughts, call your " +
		"local emergency number now (999 in the UK, 911 in the US, 112 in Europe). To talk to someone at any hour: " +
		"in the US call or text 988; in the UK and Ireland call Samaritans on 116 123; elsewhere, findahelpline.com " +
		"lists free, confidential helplines."
	testSource = "Focused shockwave for AVN of the hip"
)

var (
	refSessions = bot.Ref{ID: "session-count", Question: "How many shockwave sessions will I need?"}
	refPain     = bot.Ref{ID: "pain", Question: "Does focused shockwave therapy hurt?"}
	refWhat     = bot.Ref{ID: "what-is-avn", Question: "What is avascular necrosis (AVN) of the hip?"}
)

// goldenAnswers are the answers whose rendering is kept in testdata/NAME.golden.
func goldenAnswers() map[string]bot.Answer {
	return map[string]bot.Answer{
		"answer": {
			Kind:       bot.Answered,
			Entry:      &bot.Ref{ID: "session-length", Question: "How long does a focused shockwave session take?"},
			Score:      3.2,
			Confidence: 0.9,
			// As the knowledge loader passes it on: reflowed, no line breaks inside a paragraph.
			Text: "The material says each session usually lasts **20 to 30 minutes**, and the therapy is usually given " +
				"over a few sessions.",
			Citations: []bot.Citation{{
				SourceID: "avn-shockwave", Source: testSource,
				Quote: "Usually, the therapy is given over a few sessions with each session lasting 20 to 30 minutes.",
			}},
			Advice:  testAdvice,
			Related: []bot.Ref{refSessions, refPain},
		},
		"abstain": {
			Kind: bot.NoMatch,
			Text: "I couldn't find a curated answer to that in the material, so I won't guess. " +
				"These topics are the closest I have:",
			Advice:  testAdvice,
			Related: []bot.Ref{refSessions, refPain, refWhat},
		},
		"urgent": {
			Kind:     bot.OffTopic,
			Advice:   testAdvice,
			Urgent:   true,
			Category: "sudden severe pain or inability to bear weight",
			Guidance: testUrgent,
		},
		"crisis": {
			Kind:     bot.OffTopic,
			Advice:   testAdvice,
			Urgent:   true,
			Crisis:   true,
			Category: "thoughts of suicide or self-harm",
			Guidance: testCrisis,
			Closing:  testClosing,
		},
		"offtopic": {
			Kind: bot.OffTopic,
			Text: "Hi! I answer questions about avascular necrosis (AVN) of the hip and focused shockwave therapy, " +
				"from a curated FAQ. Try `/ask question: how long does a session take?` or `/faq`.",
			Advice: testAdvice,
		},
		"overlong": overlong(),
		"two": {
			Kind:       bot.Answered,
			Entry:      &bot.Ref{ID: "session-length", Question: "How long does a focused shockwave session take?"},
			Confidence: 0.9,
			Text:       "The material says each session usually lasts **20 to 30 minutes**.",
			Citations: []bot.Citation{{
				SourceID: "avn-shockwave", Source: testSource,
				Quote: "Usually, the therapy is given over a few sessions with each session lasting 20 to 30 minutes.",
			}},
			More: []bot.Part{{
				Entry:      bot.Ref{ID: "number-of-sessions", Question: "How many shockwave sessions will I need?"},
				Text:       "A few: the number varies from patient to patient.",
				Confidence: 0.8,
				Citations: []bot.Citation{{
					SourceID: "avn-shockwave", Source: testSource,
					Quote: "The required number of sessions varies depending on the patient.",
				}},
			}},
			Advice:  testAdvice,
			Related: []bot.Ref{refPain},
		},
	}
}

// overlong breaks every limit it can: a 10,000-character answer, 30 quotes of
// 2,000 characters and 10 related entries with 500-character questions.
func overlong() bot.Answer {
	a := bot.Answer{
		Kind:   bot.Answered,
		Entry:  &bot.Ref{ID: "long", Question: strings.Repeat("Why is this question so long? ", 20)},
		Text:   words(10000, 1),
		Advice: testAdvice,
	}
	for i := range 30 {
		a.Citations = append(a.Citations, bot.Citation{
			SourceID: "src" + strconv.Itoa(i), Source: "Source number " + strconv.Itoa(i),
			Quote: words(2000, uint64(i+2)),
		})
	}
	for i := range 10 {
		a.Related = append(a.Related, bot.Ref{ID: "related-" + strconv.Itoa(i), Question: words(500, uint64(i+40))})
	}
	return a
}

// words is n characters of lorem-ipsum-like text, deterministic in seed.
func words(n int, seed uint64) string {
	vocab := []string{"shockwave", "hip", "bone", "**marrow**", "AVN", "session", "pain,", "healing.", "the", "of",
		"femoral", "head", "therapy", "`ESWT`", "vessels", "and\nline", "[link](https://example.org)"}
	r := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocab[r.IntN(len(vocab))])
	}
	return b.String()[:n]
}

func TestRenderGolden(t *testing.T) {
	for name, a := range goldenAnswers() {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(Render(a), "", "  ")
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
				t.Errorf("Render differs from %s (go test -update rewrites it):\ngot:\n%s", path, got)
			}
		})
	}
}

// TestRenderLayout checks what each shape must say, beyond the golden files.
func TestRenderLayout(t *testing.T) {
	g := goldenAnswers()

	d := Render(g["answer"])
	if len(d.Embeds) != 1 || d.Embeds[0].Title != g["answer"].Entry.Question {
		t.Fatalf("answer: want one embed titled with the question, got %+v", d.Embeds)
	}
	desc := d.Embeds[0].Description
	if !strings.Contains(desc, "> Usually, the therapy") || !strings.Contains(desc, "— *"+testSource+"*") {
		t.Errorf("answer: description lacks the block quote and its source:\n%s", desc)
	}
	if f := d.Embeds[0].Fields; len(f) != 1 || f[0].Name != AdviceHeading || f[0].Value != testAdvice {
		t.Errorf("answer: advice field = %+v", f)
	}
	if d.Content != "" {
		t.Errorf("answer: content = %q, want none", d.Content)
	}
	row := d.Components[0].(discordgo.ActionsRow)
	if len(row.Components) != 2 || row.Components[0].(discordgo.Button).CustomID != "faq:session-count" {
		t.Errorf("answer: related buttons = %+v", row.Components)
	}

	for _, name := range []string{"urgent", "crisis"} {
		a := g[name]
		d := Render(a)
		if d.Content != "**"+a.Guidance+"**" {
			t.Errorf("%s: content = %q, want the guidance in bold", name, d.Content)
		}
		if len(d.Embeds) == 0 || d.Embeds[0].Color != colorUrgent {
			t.Fatalf("%s: want a red first embed, got %+v", name, d.Embeds)
		}
	}
	if u, c := Render(g["urgent"]).Embeds[0].Title, Render(g["crisis"]).Embeds[0].Title; !strings.Contains(u, "emergency") || strings.Contains(c, "emergency") {
		t.Errorf("urgent title %q, crisis title %q: crisis needs its own wording", u, c)
	}
	// The person is never shown our red-flag category.
	for _, name := range []string{"urgent", "crisis"} {
		b, _ := json.Marshal(Render(g[name]))
		if strings.Contains(string(b), g[name].Category) {
			t.Errorf("%s: the reply names the category %q", name, g[name].Category)
		}
	}
	// A crisis reply holds crisis guidance and no FAQ content; like every
	// reply it carries the medical-assessment advice, but it closes with the
	// crisis closing, not with treatment advice.
	d = Render(g["crisis"])
	if len(d.Embeds) != 1 || len(d.Components) != 0 {
		t.Errorf("crisis: want one embed and no buttons, got %d embeds, %d rows", len(d.Embeds), len(d.Components))
	}
	fs := d.Embeds[0].Fields
	if len(fs) != 2 || fs[0].Value != testAdvice || fs[1].Value != testClosing {
		b, _ := json.Marshal(d)
		t.Errorf("crisis: want the advice, then the crisis closing last, got\n%s", b)
	}

	d = Render(g["abstain"])
	for _, r := range g["abstain"].Related {
		if !strings.Contains(d.Embeds[0].Description, r.Question) {
			t.Errorf("abstain: closest topic %q not listed", r.Question)
		}
	}

	// An urgent answer that also answers: guidance first, then the answer.
	a := g["answer"]
	a.Urgent, a.Category, a.Guidance = true, "heavy bleeding", testUrgent
	d = Render(a)
	if len(d.Embeds) != 2 || d.Embeds[0].Color != colorUrgent || d.Embeds[1].Title != a.Entry.Question {
		t.Errorf("urgent answer: embeds = %+v", d.Embeds)
	}
}

func TestRenderOverlong(t *testing.T) {
	a := overlong()
	d := Render(a)
	checkLimits(t, d)
	e := d.Embeds[0]
	if !strings.HasPrefix(e.Description, a.Text[:1000]) {
		t.Errorf("the answer text does not lead the description")
	}
	if !strings.Contains(e.Description, "\n\n> ") || !strings.Contains(e.Description, "— *Source number 0*") {
		t.Errorf("the first quote was dropped:\n%s", e.Description)
	}
	if strings.Contains(e.Description, "Source number 1*") {
		t.Errorf("a second quote fits no room left by a 10,000-character answer")
	}
	row := d.Components[0].(discordgo.ActionsRow)
	if len(row.Components) != MaxRelated {
		t.Errorf("%d related buttons, want %d", len(row.Components), MaxRelated)
	}
}

// TestRenderLimits renders many generated answers, the golden ones among
// them, and checks every limit, the advice and the guidance.
func TestRenderLimits(t *testing.T) {
	answers := goldenAnswers()
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "word ", "@everyone ", "@here", "**bold** ", "`code` ", "```\nfence\n``` ", "\n", "> ", "é",
		"😀", "𝕏", "[x](https://e.org) ", "<@&123> ", "|| ", "__u__ ", "~~s~~ ", "\u200b", "\r\n"}
	text := func(max int) string {
		n := r.IntN(max + 1)
		var b strings.Builder
		for Len(b.String()) < n {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	kinds := []bot.Kind{bot.Answered, bot.NoMatch, bot.OffTopic, ""}
	for i := range 400 {
		scale := []int{10, 300, 3000, 12000}[i%4]
		a := bot.Answer{
			Kind:     kinds[r.IntN(len(kinds))],
			Text:     text(scale),
			Advice:   testAdvice,
			Urgent:   r.IntN(3) == 0,
			Crisis:   r.IntN(6) == 0,
			Closing:  text(scale / 10),
			Category: text(scale / 10),
			Guidance: text(min(scale, 1990)),
		}
		switch i % 7 {
		case 0:
			a.Advice = text(1024)
		case 1:
			a.Advice = text(3800)
		case 2:
			a.Advice = "@everyone " + testAdvice
		}
		if strings.TrimSpace(a.Advice) == "" {
			a.Advice = testAdvice
		}
		if a.Kind == bot.Answered && r.IntN(5) > 0 {
			a.Entry = &bot.Ref{ID: text(60), Question: text(scale / 5)}
		}
		for range r.IntN(40) {
			a.Citations = append(a.Citations, bot.Citation{Source: text(300), Quote: text(scale / 2)})
		}
		for range r.IntN(8) {
			a.Related = append(a.Related, bot.Ref{ID: text(120), Question: text(scale / 10)})
		}
		for range r.IntN(12) / 4 { // further answers: none mostly, up to two
			m := bot.Part{Entry: bot.Ref{ID: text(60), Question: text(scale / 5)}, Text: text(scale)}
			for range r.IntN(6) {
				m.Citations = append(m.Citations, bot.Citation{Source: text(300), Quote: text(scale / 2)})
			}
			a.More = append(a.More, m)
		}
		answers["generated-"+strconv.Itoa(i)] = a
	}
	for name, a := range answers {
		t.Run(name, func(t *testing.T) {
			check := func(v any) {
				t.Helper()
				got := checkLimits(t, v)
				_, closingText := closing(a)
				mustContain(t, got, strings.TrimSpace(closingText), "advice or crisis closing")
				if a.Urgent {
					mustContain(t, got, strings.TrimSpace(a.Guidance), "guidance")
				}
			}
			d := Render(a)
			check(d)
			WithShareButton(d, ShareID(a))
			check(d)
			WithVoteButtons(d, a, AnswerKey("1100000000000000002"))
			check(d)
			check(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: d})
			check(RenderMessage(a, &discordgo.MessageReference{MessageID: "1", ChannelID: "2"}))
			if t.Failed() {
				b, _ := json.MarshalIndent(d, "", "  ")
				t.Logf("payload:\n%.3000s", b)
			}
		})
	}
}

func TestRenderMessageSharesRender(t *testing.T) {
	ref := &discordgo.MessageReference{MessageID: "5000", ChannelID: "20", GuildID: "10"}
	for name, a := range goldenAnswers() {
		d, m := Render(a), RenderMessage(a, ref)
		gd, _ := json.Marshal([]any{d.Content, d.Embeds, d.Components})
		gm, _ := json.Marshal([]any{m.Content, m.Embeds, m.Components})
		if !bytes.Equal(gd, gm) {
			t.Errorf("%s: RenderMessage and Render differ:\n%s\n%s", name, gm, gd)
		}
		if m.Reference != ref {
			t.Errorf("%s: reference = %v, want %v", name, m.Reference, ref)
		}
	}
}

func TestWithShareButton(t *testing.T) {
	a := goldenAnswers()["answer"]
	d := Render(a)
	before, _ := json.Marshal(Render(a))
	WithShareButton(d, ShareID(a))
	row := d.Components[0].(discordgo.ActionsRow)
	last := row.Components[len(row.Components)-1].(discordgo.Button)
	if last.CustomID != "share:session-length" || last.Label != "Share in channel" {
		t.Errorf("share button = %+v", last)
	}
	if after, _ := json.Marshal(Render(a)); !bytes.Equal(before, after) {
		t.Errorf("WithShareButton changed a later Render")
	}

	d = Render(goldenAnswers()["urgent"]) // no related: a row of its own
	WithShareButton(d, "share:x")
	if len(d.Components) != 1 {
		t.Errorf("components = %+v, want one row", d.Components)
	}
	if ShareID(goldenAnswers()["abstain"]) != "" {
		t.Errorf("ShareID of a no-match answer is not empty")
	}
	if id := ShareID(bot.Answer{Kind: bot.Answered, Entry: &bot.Ref{ID: strings.Repeat("x", 95)}}); id != "" {
		t.Errorf("ShareID = %q for an id too long for a custom id", id)
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"hello world again", 12, "hello world…"},
		{"😀😀😀", 4, "😀…"}, // each emoji is two UTF-16 units
		{"😀😀😀", 2, "…"},
		{"abc", 0, ""},
		{"see **bold text here**", 15, "see…"},
		{"run `go test` now and then", 11, "run…"},
		{"read [the docs](https://example.org/x) please", 25, "read…"},
		{"see [docs](https://example.org/a/very/long/path/that/goes/on) ok", 50, "see docs…"},
		{"```\ncode\n```\nand text that goes on", 16, "```\ncode\n```…"},
		{"ab\xff\xffcdefghij", 6, "ab\ufffdcd…"}, // found by FuzzRender: an invalid byte was counted 3 bytes wide
		{"\xff", 5, "\ufffd"},
	}
	for _, tt := range tests {
		got := clip(tt.s, tt.max)
		if got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
		if Len(got) > tt.max || !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q: %d long or invalid", tt.s, tt.max, got, Len(got))
		}
	}
}

func TestQuoteBlock(t *testing.T) {
	got := quoteBlock("line one\nline two\x00Src", -1)
	want := "> line one\n> line two\n— *Src*"
	if got != want {
		t.Errorf("quoteBlock = %q, want %q", got, want)
	}
	for max := 0; max < 40; max++ {
		got := quoteBlock("line one\nline two is longer\x00Src", max)
		if Len(got) > max {
			t.Errorf("quoteBlock(max %d) = %q, too long", max, got)
		}
		for _, l := range strings.Split(got, "\n") {
			if got != "" && !strings.HasPrefix(l, ">") && !strings.HasPrefix(l, "— *") {
				t.Errorf("quoteBlock(max %d): line %q is neither quote nor source", max, l)
			}
		}
	}
}

func TestSanitize(t *testing.T) {
	got := sanitize("hi @everyone and @here, mail me@example.org")
	want := "hi @\u200beveryone and @\u200bhere, mail me@example.org"
	if got != want {
		t.Errorf("sanitize = %q, want %q", got, want)
	}
}

func FuzzRender(f *testing.F) {
	f.Add("text", "quote", "question", "guidance", true)
	f.Add(strings.Repeat("**a** ", 1000), "> q\n> r", "@everyone", "```", false)
	f.Fuzz(func(t *testing.T, text, quote, question, guidance string, urgent bool) {
		a := bot.Answer{Kind: bot.Answered, Entry: &bot.Ref{ID: "x", Question: question}, Text: text,
			Citations: []bot.Citation{{Source: "s", Quote: quote}}, Advice: testAdvice, Urgent: urgent, Guidance: guidance,
			Related: []bot.Ref{{ID: "y", Question: question}}}
		got := checkLimits(t, Render(a))
		mustContain(t, got, testAdvice, "advice")
	})
}
