package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
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
	tests := []struct {
		q      string
		kind   Kind
		entry  string // when answered
		urgent bool
		crisis bool
	}{
		{"how long is a shockwave session?", Answered, "session-length", false, false},
		{"HOW LONG IS A SHOCK-WAVE SESSION", Answered, "session-length", false, false},
		{"how many shokwave sesions", Answered, "number-of-sessions", false, false},
		{"is ESWT covered by my insurance", NoMatch, "", false, false},
		{"what's the capital of France", OffTopic, "", false, false},
		{"", OffTopic, "", false, false},
		{"I want to kill myself", NoMatch, "", true, true},
		{"my calf is swollen and painful since the op", NoMatch, "", true, false},
		{"can AVN cause extreme pain?", Answered, "how-serious-avn", false, false},
		{"is infection a risk with shockwave?", Answered, "complications", false, false},
		{strings.Repeat("blah ", 1200) + " how long is a shockwave session?", Answered, "session-length", false, false},
	}
	for _, tt := range tests {
		got := a.Ask(tt.q)
		name := tt.q
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		if got.Advice == "" {
			t.Errorf("Ask(%q): no advice", name)
		}
		if got.Kind != tt.kind || got.Urgent != tt.urgent || got.Crisis != tt.crisis {
			t.Errorf("Ask(%q) = kind %s urgent %v crisis %v, want %s %v %v", name, got.Kind, got.Urgent, got.Crisis, tt.kind, tt.urgent, tt.crisis)
			continue
		}
		if tt.kind == Answered {
			if got.Entry == nil || got.Entry.ID != tt.entry {
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
