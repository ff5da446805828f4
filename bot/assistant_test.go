package bot

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/avnbot/avnbot/knowledge"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  how\tmany\n\nsessions  ", "how many sessions"},
		{"ｈｏｗ ｍａｎｙ", "how many"},                      // NFKC folds full-width letters
		{"ses\u200bsions\u200d", "sessions"},          // zero-width characters removed
		{"a\x00b\x07c", "abc"},                        // control characters removed
		{"it\u2019s \u201cfine\u201d", `it's "fine"`}, // typographic quotes made plain
		{"\u202eevil", "evil"},                        // bidi override removed
		{"bad \xff utf8", "bad utf8"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if n := utf8.RuneCountInString(Normalize(strings.Repeat("word ", 5000))); n > MaxQuestion {
		t.Errorf("Normalize kept %d characters, want at most %d", n, MaxQuestion)
	}
}

func TestAsk(t *testing.T) {
	a := newTestAssistant(t)
	const abstain = Kind("abstain") // NoMatch or OffTopic
	tests := []struct {
		q      string
		kind   Kind
		entry  string // when answered: one of these, space-separated
		urgent bool
		crisis bool
	}{
		{"how long is a shockwave session?", Answered, "session-length", false, false},
		{"HOW LONG IS A SHOCK-WAVE SESSION", Answered, "session-length", false, false},
		{"how many shokwave sesions", Answered, "number-of-sessions sessions-vary", false, false},
		{"**how long** is a shockwave session?? 🙏 <@123456789012345678>", Answered, "session-length", false, false},
		{"is ESWT covered by my insurance", abstain, "", false, false},
		{"what's the capital of France", OffTopic, "", false, false},
		{"", OffTopic, "", false, false},
		{"thanks so much, that helped a lot!", OffTopic, "", false, false},
		{"hello! what is avascular necrosis? thanks", Answered, "what-is-avn", false, false},
		{"hey everyone", OffTopic, "", false, false},
		{"I want to kill myself", NoMatch, "", true, true},
		{"my calf is swollen and painful since the op", NoMatch, "", true, false},
		{strings.Repeat("blah ", 1200) + " how long is a shockwave session?", Answered, "session-length", false, false},
		// a story, then the question
		{"I was diagnosed with AVN in my left hip last spring. My surgeon mentioned shockwave. How many sessions will I need?", Answered, "number-of-sessions sessions-vary", false, false},
		// a question whose subject is elsewhere in the message
		{"My cat has feline leukaemia and the vet suggested chemotherapy. How many sessions will she need?", abstain, "", false, false},
		// a question that names nothing, after a story about something else
		{"our budgie has stopped singing and sits fluffed up all day, what should I do?", abstain, "", false, false},
		// ... and after one that names its subject
		{"the scan report from my hospital says osteonecrosis, and nobody has told me anything. what is it?", Answered, "what-is-avn", false, false},
	}
	for _, tt := range tests {
		got, err := a.Ask(tt.q)
		name := tt.q
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		if err != nil {
			t.Errorf("Ask(%q): %v", name, err)
			continue
		}
		if got.Advice == "" {
			t.Errorf("Ask(%q): no advice", name)
		}
		kind := got.Kind
		if tt.kind == abstain && kind != Answered {
			kind = abstain
		}
		if kind != tt.kind || got.Urgent != tt.urgent || got.Crisis != tt.crisis {
			t.Errorf("Ask(%q) = kind %s urgent %v crisis %v, want %s %v %v", name, got.Kind, got.Urgent, got.Crisis, tt.kind, tt.urgent, tt.crisis)
			continue
		}
		if tt.kind == Answered {
			if got.Entry == nil || !slices.Contains(strings.Fields(tt.entry), got.Entry.ID) {
				t.Errorf("Ask(%q) answered %+v, want %s", name, got.Entry, tt.entry)
			}
			if len(got.Citations) == 0 || got.Citations[0].Source == "" || got.Citations[0].Quote == "" {
				t.Errorf("Ask(%q): citations %+v, want quotes with their source", name, got.Citations)
			}
		} else if len(got.Citations) > 0 {
			t.Errorf("Ask(%q): citations on an unanswered question", name)
		}
		if tt.crisis && (got.Guidance == "" || got.Entry != nil) {
			t.Errorf("Ask(%q): crisis reply must carry guidance and no FAQ entry", name)
		}
	}
}

// TestTwoQuestions: a message that asks two covered things gets both
// answers in one reply.
func TestTwoQuestions(t *testing.T) {
	a := newTestAssistant(t)
	ans, err := a.Ask("how long does a shockwave session take, and do I need a general anaesthetic?")
	if err != nil {
		t.Fatal(err)
	}
	if ans.Kind != Answered || len(ans.More) != 1 {
		t.Fatalf("got kind %s, entry %+v, more %+v; want two answers", ans.Kind, ans.Entry, ans.More)
	}
	got := map[string]bool{ans.Entry.ID: true, ans.More[0].Entry.ID: true}
	if !got["session-length"] || !got["anaesthesia"] {
		t.Errorf("answered %v, want session-length and anaesthesia", got)
	}
	if len(ans.More[0].Citations) == 0 {
		t.Error("the second answer has no quotes")
	}
}

// TestDeterministic: the same knowledge and question give the same reply,
// whatever the run.
func TestDeterministic(t *testing.T) {
	kb, err := knowledge.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var first []string
	for run := range 3 {
		a, err := New(kb, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range []string{"how many sessions", "sessions", "is it safe", "what about recovery"} {
			ans, _ := a.Ask(q)
			got := string(ans.Kind)
			if ans.Entry != nil {
				got += " " + ans.Entry.ID
			}
			for _, r := range ans.Related {
				got += " " + r.ID
			}
			if run == 0 {
				first = append(first, got)
			} else if got != first[i] {
				t.Errorf("run %d: Ask(%q) = %s, first run %s", run, q, got, first[i])
			}
		}
		a.Close()
	}
}

// TestExplainShowsTheDecision: the trace marks what the reply answered, and
// the candidates of the answered piece lead with the answered entry.
func TestExplainShowsTheDecision(t *testing.T) {
	a := newTestAssistant(t)
	ans, tr, err := a.Explain("hello! how long is a shockwave session? thanks", 5)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Kind != Answered {
		t.Fatalf("not answered: %+v", ans)
	}
	var answered int
	for _, p := range tr.Pieces {
		if p.Answered {
			answered++
			if p.Candidates[0].ID != ans.Entry.ID || p.Candidates[0].Probability < tr.Target {
				t.Errorf("answered piece %q leads with %+v, reply answered %s at target %.2f", p.Text, p.Candidates[0], ans.Entry.ID, tr.Target)
			}
		}
	}
	if answered != 1 {
		t.Errorf("%d pieces marked answered, want 1", answered)
	}
}

func TestShowAndSuggest(t *testing.T) {
	a := newTestAssistant(t)
	ans, ok := a.Show("anaesthesia")
	if !ok || ans.Kind != Answered || ans.Entry.ID != "anaesthesia" || ans.Advice == "" {
		t.Fatalf("Show(anaesthesia) = %+v, %v", ans, ok)
	}
	if _, ok := a.Show("no-such-entry"); ok {
		t.Error("Show(no-such-entry) found something")
	}
	if got := a.Suggest("", 25); len(got) != min(25, len(a.Topics())) {
		t.Errorf("Suggest(\"\", 25) gave %d entries", len(got))
	}
	got := a.Suggest("anaesth", 5)
	if len(got) == 0 || got[0].ID != "anaesthesia" {
		t.Errorf("Suggest(anaesth) = %+v, want anaesthesia first", got)
	}
}

// TestCalibration: on held-out folds, the probabilities mean what they say
// to within a margin, bin by bin where a bin holds enough questions.
func TestCalibration(t *testing.T) {
	a := newTestAssistant(t)
	c := a.Model().Folds()
	t.Log(c)
	for _, b := range c.Bins {
		if b.N < 30 {
			continue
		}
		if d := b.Predicted - b.Observed; d > 0.2 || d < -0.2 {
			t.Errorf("bin %.1f-%.1f: predicted %.2f, observed %.2f over %d questions", b.Lo, b.Hi, b.Predicted, b.Observed, b.N)
		}
	}
}

// TestPick is the choice among the pieces of a message.
func TestPick(t *testing.T) {
	a := &Assistant{model: &Model{Target: 0.5}}
	piece := func(whole, asks bool, id string, p, unknown float64) Considered {
		return Considered{Whole: whole, Asks: asks, Topical: true, Candidates: []Candidate{{Ref: Ref{ID: id}, Probability: p,
			Features: Features{Unknown: unknown}}}, subjects: []string{id}}
	}
	nameless := func(c Considered) Considered { c.Topical = false; return c }
	tests := []struct {
		name   string
		ps     []Considered
		urgent bool
		want   []int
	}{
		{"one question", []Considered{piece(true, true, "a", 0.9, 0)}, false, []int{0}},
		{"below the target", []Considered{piece(true, true, "a", 0.4, 0)}, false, nil},
		{"a question in a story", []Considered{piece(true, false, "a", 0.3, 0.1), piece(false, false, "b", 0.9, 0), piece(false, true, "a", 0.8, 0)}, false, []int{2}},
		{"two questions", []Considered{piece(true, true, "a", 0.3, 0), piece(false, true, "a", 0.8, 0), piece(false, true, "b", 0.7, 0)}, false, []int{1, 2}},
		{"two pieces, one entry", []Considered{piece(true, true, "a", 0.3, 0), piece(false, true, "a", 0.8, 0), piece(false, true, "a", 0.9, 0)}, false, []int{2}},
		{"three questions: the two surest", []Considered{piece(true, true, "a", 0.3, 0), piece(false, true, "a", 0.6, 0), piece(false, true, "b", 0.9, 0), piece(false, true, "c", 0.8, 0)}, false, []int{2, 3}},
		{"the whole is surer than its one question", []Considered{piece(true, true, "a", 0.95, 0), piece(false, true, "b", 0.7, 0)}, false, []int{0}},
		{"a message mostly about something else", []Considered{piece(true, true, "a", 0.1, 0.7), piece(false, true, "a", 0.9, 0)}, false, nil},
		{"urgent: the whole story is not a question", []Considered{piece(true, false, "a", 0.9, 0), piece(false, false, "a", 0.9, 0)}, true, nil},
		{"urgent: a clear question", []Considered{piece(true, false, "a", 0.2, 0), piece(false, true, "b", 0.9, 0)}, true, []int{1}},
		{"a question that names nothing", []Considered{piece(true, false, "a", 0.2, 0.3), nameless(piece(false, true, "b", 0.9, 0))}, false, nil},
		{"a question that names nothing, and one that does", []Considered{piece(true, true, "a", 0.2, 0), nameless(piece(false, true, "b", 0.9, 0)), piece(false, true, "c", 0.8, 0)}, false, []int{2}},
		{"a piece that finds nothing", []Considered{piece(true, true, "a", 0.2, 0), {Asks: true}}, false, nil},
		{"a question that names nothing, about what the message is about", []Considered{piece(true, false, "b", 0.4, 0.1), nameless(piece(false, true, "b", 0.9, 0))}, false, []int{1}},
	}
	for _, tt := range tests {
		if got := a.pick(tt.ps, tt.urgent); !slices.Equal(got, tt.want) {
			t.Errorf("%s: pick = %v, want %v", tt.name, got, tt.want)
		}
	}
}
