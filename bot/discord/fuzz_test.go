package discord

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/knowledge"
)

// devSet is the shared evaluation questions, relative to this package.
const devSet = "../../../shared/eval/dev.jsonl"

// devQuestions reads the questions of the shared dev set, or nil when the
// file is absent.
func devQuestions(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open(devSet)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Logf("%s is absent; not seeding with the dev set", devSet)
		return nil
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l struct {
			Q string `json:"q"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			tb.Fatalf("%s:%d: %v", devSet, n, err)
		}
		out = append(out, l.Q)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// hostile are messages a Discord user could send to break the reply.
func hostile() []string {
	return []string{
		"",
		" ",
		"?",
		strings.Repeat("how long does a shockwave session take? ", 150)[:6000],
		strings.Repeat("a", 6000),
		strings.Repeat("é", 6000),
		strings.Repeat("🦴", 6000),
		"how\u200blong\u200bdoes\u200ba\u200bsession\u200btake",
		"\u200b\u200c\u200d\u2060\ufeff",
		"\u202ehow long does a session take\u202c",
		"\u202d\u2066\u2067\u2068\u2069\u061c shockwave",
		"@everyone how many sessions will I need?",
		"@here is shockwave safe",
		"<@&123> <@123> <@!123> <#123> what is AVN",
		"@\u200beveryone",
		"＠everyone",
		"**__~~||`" + strings.Repeat("*", 3000) + "`||~~__**",
		strings.Repeat("```", 1000),
		strings.Repeat("> ", 2000) + "quote bomb",
		strings.Repeat("[link](https://example.com) ", 200),
		"\xff\xfe\xfd shockwave \xc3\x28",
		"what\x00is\x00avn",
		"\x1b[31mred\x1b[0m \r\n\t\v\f",
		"😀😃🦴💥 shockwave 🙏",
		"что такое аваскулярный некроз",
		"什么是股骨头坏死？冲击波治疗需要几次？",
		"ما هو النخر اللاوعائي",
		"((((((((((hip",
		"[[[[[[[[[[hip]]]]]]]",
		"hip* AND shock~ OR +avn -pain ^2 title:x /re.*/",
		"https://example.com/avn?session=1&x=<script>alert(1)</script>",
		"I want to die",
		"my hip hurts so much I can't stand and I have a fever",
		"how many sessions will I need? is it done under anaesthetic? can I walk after? what are the risks?",
		strings.Repeat("sessions ", 700),
	}
}

// FuzzAsk asks the real assistant anything and renders the answer: no
// panic, the advice always there, and every Discord limit respected.
func FuzzAsk(f *testing.F) {
	kb, err := knowledge.Embedded()
	if err != nil {
		f.Fatal(err)
	}
	a, err := bot.New(kb, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { a.Close() })
	for _, q := range devQuestions(f) {
		f.Add(q)
	}
	for _, q := range hostile() {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		ans, err := a.Ask(q)
		if err != nil {
			t.Fatalf("Ask(%.200q): %v", q, err)
		}
		if strings.TrimSpace(ans.Advice) == "" {
			t.Fatalf("Ask(%.200q): no advice", q)
		}
		if ans.Advice != kb.Safety.Advice {
			t.Errorf("Ask(%.200q).Advice = %q, want the safety advice", q, ans.Advice)
		}
		d := Render(ans)
		if d.AllowedMentions == nil || d.AllowedMentions.Parse == nil || len(d.AllowedMentions.Parse) != 0 {
			t.Errorf("Render(Ask(%.200q)).AllowedMentions = %+v, want parse: []", q, d.AllowedMentions)
		}
		text := checkLimits(t, d)
		if ans.Crisis {
			mustContain(t, text, kb.Safety.CrisisClosing, "crisis closing")
		} else {
			mustContain(t, text, ans.Advice, "advice")
		}
		if ans.Urgent {
			mustContain(t, text, ans.Guidance, "urgent guidance")
		}
	})
}
