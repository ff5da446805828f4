package bot

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/avnbot/avnbot/knowledge"
)

// Triage is the first stage: red flags, before anything else. The matcher
// (concepts, cues and signs from safety.yaml) lives in knowledge so that
// loading refuses a safety.yaml that breaks it; this stage decides what the
// reply holds.

// triage is what the first stage tells the rest of the pipeline.
type triage struct {
	knowledge.Triage
	// rest is the message without the sentences that describe the
	// emergency: the only text an FAQ answer may come from.
	rest string
	// asks reports whether rest holds a question of its own; a fragment of
	// the story ("this was last night") never counts.
	asks bool
	// withdrawn are the red flags the learned backstop withdrew (see
	// alarm.withdraws).
	withdrawn []knowledge.Flag
}

func (a *Assistant) triage(q string) triage {
	t := triage{Triage: a.kb.Safety.Check(q)}
	al := a.alarm.check(q)
	switch {
	case !t.Urgent() && al.raised:
		t.Flags = append(t.Flags, learnedFlag(al, len(q)))
	case al.withdraws(t.Flags):
		for _, f := range t.Flags {
			f.Sign += fmt.Sprintf(" (withdrawn by the learned backstop: the message reads as ordinary, evidence %.2f below %.2f, the least of any emergency held out)", al.score, al.floor)
			t.withdrawn = append(t.withdrawn, f)
		}
		t.Flags = nil
	}
	if !t.Urgent() {
		t.rest = q
		return t
	}
	// The FAQ may answer only what the rest of the message asks: its
	// questions, not the fragments of the story around them.
	var b strings.Builder
	at := 0
	for _, f := range t.Flags {
		if f.Start >= at {
			b.WriteString(q[at:f.Start])
			b.WriteString(". ")
		}
		at = max(at, f.End)
	}
	b.WriteString(q[min(at, len(q)):])
	qs := questions(b.String())
	if len(qs) > 1 {
		qs = qs[1:] // the questions in it, not the whole
	}
	var asked []string
	for _, p := range qs {
		if p.asks && !plea(p.text) && len(strings.Fields(p.text)) >= 3 {
			asked = append(asked, strings.TrimRight(p.text, "?.!;, "))
		}
	}
	t.rest, t.asks = strings.Join(asked, "? "), len(asked) > 0
	return t
}

// learnedFlag is the red flag the learned backstop raises: it names no
// category of safety.yaml, only whether it reads as a crisis.
func learnedFlag(al alarm, n int) knowledge.Flag {
	f := knowledge.Flag{ID: "learned", Category: "possible emergency (learned)", Crisis: al.crisis,
		Sign:  fmt.Sprintf("learned from examples: evidence %.2f over a threshold of %.2f", al.score, al.threshold),
		Start: 0, End: n}
	if al.crisis {
		f.ID, f.Category = "learned-crisis", "possible crisis (learned)"
	}
	return f
}

// pleas ask what to do about the emergency itself: the guidance answers them.
var pleas = regexp.MustCompile(`^(?:(?:so|ok|okay|um+|please|pls|help)\W+)*(?:what (?:do|should|can|shall) (?:i|we|he|she|they) do|should (?:i|we) (?:go|call|get|see)|do (?:i|we) (?:need to )?(?:go|call)|is (?:this|it|that) (?:serious|an emergency|bad|normal|dangerous)|(?:can|could|will) (?:someone|anyone|you) help|help)\b`)

func plea(s string) bool { return pleas.MatchString(strings.ToLower(strings.TrimSpace(s))) }
