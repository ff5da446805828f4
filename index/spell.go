package index

import (
	"strings"
	"unicode"

	"github.com/avnbot/avnbot/knowledge"
)

// Spelling correction. bleve's fuzzy match queries find "osteonecrossis",
// but they cost 1-2 ms a query and do not tell which word they matched. The
// index instead knows every word of the knowledge, so an unknown word in a
// question is replaced by the closest known word, when one is close enough,
// before searching. Only words absent from the knowledge are touched.

// lexicon is the set of words in the knowledge with their frequencies.
type lexicon struct {
	freq  map[string]int
	byLen map[int][]string // words by rune length, for candidate lookup
}

func newLexicon() *lexicon {
	l := &lexicon{freq: map[string]int{}, byLen: map[int][]string{}}
	l.addText(strings.Join(stopWords, " "))
	l.addText(strings.Join(lightWords, " "))
	return l
}

func (l *lexicon) addText(s string) {
	for _, w := range words(s) {
		if l.freq[w] == 0 {
			n := len([]rune(w))
			l.byLen[n] = append(l.byLen[n], w)
		}
		l.freq[w]++
	}
}

// words splits text into lower-case words of letters (apostrophes kept inside).
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
}

// maxEdits is how many edits a word of n letters may need to be corrected:
// none below 6 letters (too many short words are one edit apart: "light",
// "night", "right"), one up to 8, two from 9.
func maxEdits(n int) int {
	switch {
	case n < 6:
		return 0
	case n < 9:
		return 1
	}
	return 2
}

// correct returns the known word closest to w, or w. Words for which
// skip is true are never the correction: a typo is not worth fixing into a
// word that carries no topic, and "waiting" must not become "wanting".
func (l *lexicon) correct(w string, skip func(string) bool) string {
	if l.freq[w] > 0 {
		return w
	}
	rw := []rune(w)
	k := maxEdits(len(rw))
	if k == 0 {
		return w
	}
	best, bestD, bestF := w, k+1, 0
	for n := len(rw) - k; n <= len(rw)+k; n++ {
		for _, c := range l.byLen[n] {
			if []rune(c)[0] != rw[0] && len(rw) < 9 {
				continue // a short word's first letter is rarely the typo
			}
			d := knowledge.Distance(w, c)
			if (d < bestD || (d == bestD && l.freq[c] > bestF)) && !skip(c) {
				best, bestD, bestF = c, d, l.freq[c]
			}
		}
	}
	return best
}

// Correction is one word of a question replaced by a known word.
type Correction struct {
	From, To string
}

// Correct replaces the unknown words of text by the closest known words of
// the knowledge. It returns the corrected text (lower case) and what changed.
func (ix *Index) Correct(text string) (string, []Correction) {
	var out strings.Builder
	var fixes []Correction
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.ToLower(text[start:end])
		c := w
		if !ix.knownStem(w) {
			c = ix.words.correct(w, func(c string) bool { return ix.light[stem(c)] })
		}
		if c != w {
			fixes = append(fixes, Correction{From: w, To: c})
		}
		out.WriteString(c)
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		out.WriteRune(unicode.ToLower(r))
	}
	flush(len(text))
	return out.String(), fixes
}

// knownStem reports whether w, as the analyzer reduces it, is a unit some
// entry holds ("helped" is known when "help" is), or a stop word.
func (ix *Index) knownStem(w string) bool {
	toks := ix.base.Analyze([]byte(w))
	if len(toks) == 0 {
		return true
	}
	_, ok := ix.vocab[string(toks[0].Term)]
	return ok
}
