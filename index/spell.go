package index

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/avnbot/avnbot/knowledge/english"
)

// Spelling. A word of the question that is neither a word of the knowledge
// nor a word of English is a typo, and is replaced by the closest word of
// the knowledge when one is close enough: one edit (a letter dropped,
// doubled, swapped or wrong) for words of up to 7 letters, two for longer
// ones, or the same after spelling it as it sounds ("fizio", "nekrosis"). A
// real word is never changed: "spread" does not become "speak", nor
// "medicare" "medical".

// lexicon is the set of words in the knowledge with their frequencies.
type lexicon struct {
	freq map[string]int
	// byStart holds the words by first letter and length in bytes: a typo
	// rarely changes the first letter, and when it does ("fizio"), the
	// word's sound finds it.
	byStart map[startKey][]string
	sound   map[string][]string
}

type startKey struct {
	first byte
	n     int
}

func newLexicon() *lexicon {
	return &lexicon{freq: map[string]int{}, byStart: map[startKey][]string{}, sound: map[string][]string{}}
}

// add records one lower-case word of the knowledge.
func (l *lexicon) add(w string) {
	if !isWord(w) {
		return
	}
	if l.freq[w] == 0 {
		k := startKey{w[0], len(w)}
		l.byStart[k] = append(l.byStart[k], w)
		sk := soundKey(w)
		l.sound[sk] = append(l.sound[sk], w)
	}
	l.freq[w]++
}

func (l *lexicon) addText(s string) {
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		l.add(w)
	}
}

// isWord: letters only, at least 4 of them (shorter typos are too often
// another word: "hop", "hip").
func isWord(w string) bool {
	if len(w) < 4 {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// edits is how many edits a word of n letters may be from its correction.
func edits(n int) int {
	if n <= 7 {
		return 1
	}
	return 2
}

// correct returns the word of the knowledge w was meant to be, or w.
func (l *lexicon) correct(w string) string {
	if l.freq[w] > 0 || !isWord(w) || english.IsWord(w) {
		return w
	}
	k := edits(utf8.RuneCountInString(w))
	best, bestD, bestF := w, k+1, 0
	consider := func(c string, d int) {
		if d < bestD || (d == bestD && (l.freq[c] > bestF || (l.freq[c] == bestF && c < best))) {
			best, bestD, bestF = c, d, l.freq[c]
		}
	}
	for n := len(w) - k; n <= len(w)+k; n++ {
		for _, c := range l.byStart[startKey{w[0], n}] {
			if d := distance(w, c, k); d <= k {
				consider(c, d)
			}
		}
	}
	if bestD > k {
		for _, c := range l.sound[soundKey(w)] {
			consider(c, k) // as far as the edits allow: a real edit wins
		}
	}
	return best
}

// Correction is one word of a question replaced by a word of the knowledge.
type Correction struct {
	From, To string
}

// Correct replaces the misspelt words of text by words of the knowledge. It
// returns the corrected text (lower case) and what changed.
func (ix *Index) Correct(text string) (string, []Correction) {
	var out strings.Builder
	out.Grow(len(text))
	var fixes []Correction
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.ToLower(text[start:end])
		c := ix.words.correct(w)
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

// distance is the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours), or
// limit+1 as soon as it must exceed limit. Bytes are compared: words with
// letters beyond ASCII count one edit per byte, which only ever errs on the
// side of not correcting.
func distance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	var buf [3][32]int
	if len(b)+1 > len(buf[0]) {
		return limit + 1
	}
	prev2, prev, cur := buf[0][:len(b)+1], buf[1][:len(b)+1], buf[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

var sounds = strings.NewReplacer("ph", "f", "ck", "k", "ae", "e", "oe", "e", "qu", "kw", "q", "k", "z", "s", "y", "i", "x", "ks")

// soundKey spells a word as it sounds, roughly, so that "fizio" and
// "physio", "nekrosis" and "necrosis", "anestetic" and "anaesthetic" meet:
// ph is f, ck, c before a hard vowel, and q are k, z is s, y is i, "ae" and
// "oe" are e, h after a consonant and doubled letters go.
func soundKey(w string) string {
	s := sounds.Replace(w)
	var b strings.Builder
	var last byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 'c' {
			c = 'k'
			if i+1 < len(s) && (s[i+1] == 'e' || s[i+1] == 'i') {
				c = 's'
			}
		}
		if c == 'h' && i > 0 && !strings.ContainsRune("aeiou", rune(last)) {
			continue
		}
		if c == last {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return b.String()
}
