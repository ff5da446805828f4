package index

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/avnbot/avnbot/knowledge/english"
)

// Spelling. A word of the question that is neither a word of the knowledge
// nor a word of a standard English dictionary is a typo, and is replaced by
// the closest word of the knowledge when one is close enough: one edit (a
// letter dropped, doubled, swapped or wrong) for words of up to 7 letters,
// two for longer ones, or the same after spelling it as it sounds ("fizio",
// "nekrosis"). A typo of a common English word the knowledge does not use
// of five letters or more is fixed too, when one letter dropped, doubled or
// swapped makes it ("realy" is "really", not the knowledge's "ready"; a
// shorter word is one slip from too many words): a doubled or halved
// letter is the likeliest slip, so it costs half an edit; on equal cost the
// knowledge's word wins. A rare word of SCOWL's largest sizes is no real
// word here ("pian" is "pain"). A real word is never changed: "spread" does
// not become "speak", nor "medicare" "medical".

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

// correct returns the word w was meant to be, or w.
func (l *lexicon) correct(w string) string {
	if l.freq[w] > 0 || !isWord(w) || english.InDictionary(w) {
		return w
	}
	// costs are in half edits: 1 for a doubled or halved letter, 2 for any
	// other edit
	k := edits(utf8.RuneCountInString(w))
	best, bestCost, bestRank := w, 2*k+1, 0
	// rank orders candidates of equal cost: the knowledge's words first, the
	// most used first; then English words, the most common first
	consider := func(c string, cost, rank int) {
		if cost < bestCost || (cost == bestCost && (rank > bestRank || (rank == bestRank && c < best))) {
			best, bestCost, bestRank = c, cost, rank
		}
	}
	for n := len(w) - k; n <= len(w)+k; n++ {
		for _, c := range l.byStart[startKey{w[0], n}] {
			if d := distance(w, c, k); d <= k {
				cost := 2 * d
				if d == 1 && doubling(w, c) {
					cost = 1
				}
				consider(c, cost, 1000+l.freq[c])
			}
		}
	}
	if bestCost > 2*k {
		for _, c := range l.sound[soundKey(w)] {
			consider(c, 2*k, 1000+l.freq[c]) // as far as the edits allow: a real edit wins
		}
	}
	if len(w) > 4 { // a short word is one slip from too many words: "shok" is not "shook"
		slips(w, func(c string, cost int) {
			if lv, _ := english.Level(c); lv > 0 && lv <= 50 {
				consider(c, cost, 100-lv)
			}
		})
	}
	return best
}

// slips calls f with each word one slip away from w, and its cost in half
// edits: a letter dropped (1 when it doubled its neighbour, else 2), a
// letter doubled (1) and two neighbours swapped (2). Wrong and added letters
// are left out: among the many words of English they find too many.
func slips(w string, f func(c string, cost int)) {
	b := make([]byte, 0, len(w)+1)
	for i := range len(w) {
		cost := 2
		if i > 0 && w[i-1] == w[i] || i+1 < len(w) && w[i+1] == w[i] {
			cost = 1
		}
		f(string(append(append(b[:0], w[:i]...), w[i+1:]...)), cost)
		f(string(append(append(append(b[:0], w[:i+1]...), w[i]), w[i+1:]...)), 1)
		if i+1 < len(w) && w[i] != w[i+1] {
			f(string(append(append(append(append(b[:0], w[:i]...), w[i+1]), w[i]), w[i+2:]...)), 2)
		}
	}
}

// doubling reports whether a and b, one edit apart, differ by a doubled
// letter: one has a letter twice where the other has it once.
func doubling(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a) != len(b)+1 {
		return false
	}
	for i := range len(a) {
		if i == len(b) || a[i] != b[i] {
			// a[i] is the extra letter
			return a[:i]+a[i+1:] == b && (i > 0 && a[i-1] == a[i] || i+1 < len(a) && a[i+1] == a[i])
		}
	}
	return false
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
		c := w
		if !contraction(text, start, end) {
			c = ix.words.correct(w)
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

// contraction reports whether text[start:end] is a part of a contraction
// ("doesn't", "I'm"): a word an apostrophe joins to another is no typo.
func contraction(text string, start, end int) bool {
	before := start > 0 && text[start-1] == '\''
	after := end+1 < len(text) && text[end] == '\'' && isLetter(text[end+1:])
	return before || after
}

func isLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
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
