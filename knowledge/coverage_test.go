package knowledge

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Limits the curated entries keep to, tighter than the loader's: an answer
// should read in a glance, and a focused entry cites one to three quotes.
const (
	maxCuratedAnswer = 600
	maxCitations     = 3
	minInformative   = 6 // words; shorter pieces are headings or labels
	coveredShare     = 0.6
)

// sentenceBreak splits source text into sentences and bullet clauses.
var sentenceBreak = regexp.MustCompile(`\.\s+|:\s+|\n`)

// sentences returns the informative sentences of a source text: pieces of
// at least minInformative words that end in punctuation (headings do not).
func sentences(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.ReplaceAll(line, "\u2022", " "))
		if line == "" || !strings.ContainsAny(line[len(line)-1:], ".:!?") {
			continue // blank line or heading
		}
		for _, s := range sentenceBreak.Split(line, -1) {
			s = strings.TrimSpace(s)
			if len(strings.Fields(s)) >= minInformative {
				out = append(out, s)
			}
		}
	}
	return out
}

func foldQuote(s string) string {
	return strings.Trim(strings.ToLower(Normalize(s)), " .:")
}

// covers reports whether a quote covers a sentence: it holds the whole
// sentence, or the sentence holds the quote and the quote is most of it.
func covers(quote, sentence string) bool {
	q, s := foldQuote(quote), foldQuote(sentence)
	if q == "" || s == "" {
		return false
	}
	if strings.Contains(q, s) {
		return true
	}
	return strings.Contains(s, q) && float64(len(q)) >= coveredShare*float64(len(s))
}

func loadEmbedded(t *testing.T) *Base {
	t.Helper()
	b, err := Embedded()
	if err != nil {
		t.Fatalf("embedded knowledge does not load:\n%v", err)
	}
	return b
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"two sentences", "The cat sat on the warm mat today. The dog lay by the open door all day.",
			[]string{"The cat sat on the warm mat today", "The dog lay by the open door all day."}},
		{"heading skipped", "Benefits of the new treatment for patients\n\nIt is quick and usually does not hurt at all.",
			[]string{"It is quick and usually does not hurt at all."}},
		{"bullet label split off", "  \u2022 Non-invasive: It removes the need for any cuts in the skin.",
			[]string{"It removes the need for any cuts in the skin."}},
		{"short pieces dropped", "Yes. No. Maybe so.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sentences(tt.text)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("sentences(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	const s = "The required number of sessions varies depending on the patient."
	tests := []struct {
		name  string
		quote string
		want  bool
	}{
		{"whole sentence", s, true},
		{"sentence within a longer quote", "Usually, a few. " + s, true},
		{"case and punctuation folded", "the required number of sessions varies depending on the patient", true},
		{"most of the sentence", "number of sessions varies depending on the patient", true},
		{"a small part", "depending on the patient", false},
		{"another sentence", "Each session lasts 20 to 30 minutes.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := covers(tt.quote, s); got != tt.want {
				t.Errorf("covers(%q) = %v, want %v", tt.quote, got, tt.want)
			}
		})
	}
}

// TestSourcesCovered fails for every informative sentence of the material
// that no entry quotes, so that no part of it goes unanswered.
func TestSourcesCovered(t *testing.T) {
	b := loadEmbedded(t)
	for _, src := range b.Sources {
		var quotes []string
		for _, e := range b.Entries {
			for _, c := range e.Citations {
				if c.Source == src.ID {
					quotes = append(quotes, c.Quote)
				}
			}
		}
		ss := sentences(src.Text)
		t.Logf("source %s: %d informative sentences, %d quotes", src.ID, len(ss), len(quotes))
		if len(ss) == 0 {
			t.Errorf("source %s: no informative sentences found", src.ID)
		}
		for _, s := range ss {
			covered := false
			for _, q := range quotes {
				if covers(q, s) {
					covered = true
					break
				}
			}
			if !covered {
				t.Errorf("source %s: no entry quotes %q", src.ID, s)
			}
		}
	}
}

// TestEntriesFocused keeps answers short and citations few, so that a reply
// shows only quotes that bear on the question.
func TestEntriesFocused(t *testing.T) {
	b := loadEmbedded(t)
	for _, e := range b.Entries {
		t.Run(e.ID, func(t *testing.T) {
			if n := utf8.RuneCountInString(e.Answer); n > maxCuratedAnswer {
				t.Errorf("%s: the answer is %d characters; keep it within %d", e.File, n, maxCuratedAnswer)
			}
			if n := len(e.Citations); n < 1 || n > maxCitations {
				t.Errorf("%s: %d citations; cite 1 to %d quotes that answer the question", e.File, n, maxCitations)
			}
			seen := map[string]bool{}
			for _, c := range e.Citations {
				if k := foldQuote(c.Quote); seen[k] {
					t.Errorf("%s: the quote %q is cited twice", e.File, c.Quote)
				} else {
					seen[k] = true
				}
			}
		})
	}
}
