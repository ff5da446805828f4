package knowledge

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/avnbot/avnbot/knowledge/english"
)

// Red-flag triage by concept. safety.yaml names concepts (lexicons of words
// and phrasings: "limb", "numb", "person"), red flags whose signs combine
// them ("<limb> + <numb>"), and cues that lower or raise the alarm ("years
// ago", "what if", "now"). The matcher here compiles all of it once and
// reads a message in one pass: every token looks up, in two maps, the
// phrases that can start with it, and only those are followed.
//
// It lives in knowledge, not bot, so that Load itself refuses a safety.yaml
// that breaks triage (see checkTriage): a bad edit fails `avnbot lint`, and
// it also fails to load from KNOWLEDGE_DIR, rather than going live.

// Sign and cue syntax, for moderators (also in README):
//
//	word      the word, typos of words of five letters or more included
//	word*     any word starting so: "swell*" is swell, swells, swelling, swelled
//	a/b/c     any one of these (each may end in *, or be a <concept>)
//	<name>    any phrasing of the concept name
//	..        up to maxGap words of anything
//	<year>    a year such as 2015; <num> any whole number; <many> 10 or more;
//	          <several> 3 or more; <temp> a temperature of a fever (38 to 43,
//	          or 100.4 to 110 in Fahrenheit; "38.9" and "38,9" are one number)
//	^         the start of a sentence (first only); $ the end of a clause
//	A + B     both, in either order, within signWindow words
const (
	maxGap     = 4
	signWindow = 16
	// sentenceWindow: the parts of a sign may be farther apart than
	// signWindow within one sentence, up to this many words.
	sentenceWindow = 40
	minTypoLen     = 5 // words this long tolerate one typo (edit, swap) that keeps the first letter, unless the typo is an English word
	maxRaise       = 2 // raising cues add at most this much
	// afterSentences: a cue with "after: true" also holds this many
	// sentences after a sign whose sentence speaks in no present tense.
	afterSentences = 2
	baseScore      = 1 // a sign alone alarms; cues move it
	minPrefix      = 2
	maxWords       = 4000 // words read of one message (bot caps a message at 8,000 characters)
)

// Flag is one red flag raised by a message.
type Flag struct {
	ID       string
	Category string
	Crisis   bool
	Sign     string // the sign that matched, as written in safety.yaml
	Line     int    // its line in safety.yaml
	// Score is how far the cues around the sign left it above the line: 1
	// for a sign alone, more with a raising cue ("now", "can't").
	Score int
	// Start and End are the byte offsets, in the text given to Check, of
	// the clauses that describe the emergency.
	Start, End int
}

// Triage is what triage found in a message.
type Triage struct {
	Flags   []Flag // crisis flags first, then in file order; empty when none
	Foreign bool   // written in another language than English
}

// Urgent reports whether any red flag was raised.
func (t Triage) Urgent() bool { return len(t.Flags) > 0 }

// Crisis reports whether a crisis flag was raised.
func (t Triage) Crisis() bool { return len(t.Flags) > 0 && t.Flags[0].Crisis }

type slotKind uint8

const (
	slotWord slotKind = iota
	slotConcept
	slotGap
	slotYear
	slotNum
	slotMany
	slotSeveral
	slotTemp
	slotStart
	slotEnd
)

type slot struct {
	kind     slotKind
	words    []string
	prefixes []string
	concept  string
	cid      int // the concept's number, set once all are known
	// alts are concepts among the alternatives of a word slot ("<sudden>/now")
	alts    []string
	altCids []int
}

type seq []slot

// group is one phrase of a sign or a cue, indexed by the words it can start with.
type group struct {
	s      seq
	sign   int  // index in matcher.signs, or -1
	cue    int  // index in matcher.cues, or -1
	tense  bool // the concept present-tense, for carried cues
	person bool // the concept person, for topics
	// who: a part of a sign that only names someone ("stroke + <person>");
	// a raising cue in its clause is not about the sign ("I had a stroke
	// in 2012, am I still a candidate?").
	who bool
}

type sign struct {
	flag   int // index in RedFlags
	text   string
	line   int
	groups []int
}

type cue struct {
	name    string
	weight  int
	carries bool
	crisis  bool // applies to crisis signs
	topic   bool // lowers only a topic (see Cue.Topic)
	after   bool // also from a later clause of the sign's sentence (see Cue.After)
	negates bool // lowers only a part of a sign it stands before (see Cue.Negates)
	// timeless: raises no sign a time frame puts in the past (see Cue.Timeless)
	timeless bool
	answers  bool // holds only as the answer to the sign's question (see Cue.Answers)
}

// frames reports whether a lowering cue also holds from the first clause
// of a sentence: a time frame ("Years ago, ...") or a strong hypothetical
// ("What if, ..."), not a passing word ("Quick question - my chest ...").
func (c cue) frames() bool { return c.carries || c.weight <= -3 }

// conceptIndex finds the phrasings of a concept that can start with a word.
type conceptIndex struct {
	exact    map[string][]int // first word → phrasings
	prefixes []struct {
		prefix string
		alts   []int
	}
	rest []int // phrasings starting otherwise (a concept, a number, ^)
}

type matcher struct {
	concepts  map[string][]seq
	conceptIx map[string]*conceptIndex
	groups    []group
	signs     []sign
	cues      []cue
	exact     map[string][]int // first word → groups
	prefix    map[string][]int // first prefix → groups
	numeric   []int            // groups starting with #year or #num
	passes    int              // the group of the concept negation-passes, or -1
	nounNeg   int              // the group of the concept negation-nouns, or -1
	void      int              // the group of the concept negation-void, or -1
	negators  []int            // the groups of the cues that negate
	negWords  map[string]bool  // the one-word negations: no gap skips one
	vocab     map[string]bool  // every exact word, for typo tolerance
	typos     map[string][]string
	scratch   sync.Pool // *scratch: one Check's working memory, kept for the next
	// byCid is each concept by its number: its name, index and phrasings,
	// found without hashing the name at every token.
	byCid []conceptByID
}

type conceptByID struct {
	name string
	ix   *conceptIndex
	seqs []seq
}

// scratch is the working memory of one Check: the occurrences of every
// group (hundreds, mostly empty, so allocating them was most of the bytes a
// question cost) and the reader's memo.
type scratch struct {
	occ  [][]occurrence
	memo map[memoKey][]int
	// typos holds the lexicon word each word of the message is a typo of
	// ("" for none): a word is looked up once however often it comes.
	typos map[string]string
}

func (m *matcher) getScratch() *scratch {
	if sc, ok := m.scratch.Get().(*scratch); ok {
		return sc
	}
	return &scratch{occ: make([][]occurrence, len(m.groups)), memo: map[memoKey][]int{}, typos: map[string]string{}}
}

// putScratch empties sc, keeping its capacity, for the next Check.
func (m *matcher) putScratch(sc *scratch) {
	for g := range sc.occ {
		sc.occ[g] = sc.occ[g][:0]
	}
	clear(sc.memo)
	clear(sc.typos)
	m.scratch.Put(sc)
}

// fold lower-cases a word and strips accents, so "Réveiller" is "reveiller".
func foldWord(s string) string {
	s = strings.ToLower(s)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'ł':
			b.WriteByte('l')
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

type token struct {
	w          string
	typo       string // the lexicon word this is a typo of, if any
	base       string // the word without "'s", if it had one
	start, end int    // byte offsets
	sent       int
	clause     int  // global clause number
	asks       bool // its sentence ends in a question mark
	neg        bool // a word of a negation ("no", "never"): no gap skips it
}

// tokenize splits text into folded words. Apostrophes inside words are
// dropped ("can't" is "cant"), "&" is "and". Sentences end at . ! ? ; and
// line breaks; clauses also at commas, colons and dashes.
func tokenize(text string) (toks []token, clauseFirst map[int]int) {
	toks = make([]token, 0, min(len(text)/4+1, maxWords)) // about a word per 5 bytes
	sent, clause := 0, 0
	clauseFirst = map[int]int{0: 0} // sentence → its first clause
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		raw := text[start:end]
		w := strings.ReplaceAll(raw, "'", "")
		if isDigit(raw[0]) {
			w = strings.ReplaceAll(w, ",", ".")
		}
		if w != "" {
			t := token{w: foldWord(w), start: start, end: end, sent: sent, clause: clause}
			// "tongue's" is also "tongue", "mum's" also "mum"; a modal
			// takes no "'s", so "will's" is the document, no "will"
			if b, ok := strings.CutSuffix(raw, "'s"); ok && len(b) > 1 {
				if base := foldWord(strings.ReplaceAll(b, "'", "")); !modals[base] {
					t.base = base
				}
			}
			toks = append(toks, t)
		}
		start = -1
	}
	newSentence := func() {
		if len(toks) > 0 && toks[len(toks)-1].sent == sent {
			sent++
			clause++
			clauseFirst[sent] = clause
		}
	}
	for i, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
		case (r == '.' || r == ',') && start >= 0 && decimalAt(text, start, i):
			// "38.9" and "38,9" are one number, not "38" and "9"
		case r == '\'' && start >= 0 && elided[strings.ToLower(text[start:i])]:
			flush(i) // French and Italian elision: "d'en" is "d en", "l'ospedale" is "l ospedale"
		case r == '\'' && start >= 0:
			// inside a word: kept, removed in flush
		default:
			flush(i)
			switch r {
			case '.':
				// not inside "38.5" or "e.g."
				if next, _ := utf8.DecodeRuneInString(text[i+1:]); next == utf8.RuneError || unicode.IsSpace(next) || next == '.' {
					newSentence()
				}
			case '?':
				for j := len(toks) - 1; j >= 0 && toks[j].sent == sent; j-- {
					toks[j].asks = true
				}
				newSentence()
			case '!', ';', '\n':
				newSentence()
			case '-':
				// " - " between words, as a dash
				if i > 0 && text[i-1] == ' ' && i+1 < len(text) && text[i+1] == ' ' && len(toks) > 0 && toks[len(toks)-1].clause == clause {
					clause++
				}
			case ',', ':', '(', ')', '—', '–':
				if len(toks) > 0 && toks[len(toks)-1].clause == clause {
					clause++
				}
			case '&':
				toks = append(toks, token{w: "and", start: i, end: i + 1, sent: sent, clause: clause})
			default:
				if laughing[r] {
					// an emoji of laughter or of rolled eyes reads as the
					// word "lol": an idiom, not a report
					toks = append(toks, token{w: "lol", start: i, end: i + utf8.RuneLen(r), sent: sent, clause: clause})
				}
			}
		}
		if len(toks) >= maxWords {
			break
		}
	}
	flush(len(text))
	// A new clause also starts at "but", "however", "although", "though",
	// and at "and" before a word of time ("and now my calf is swollen") or
	// a subject ("we lost dad to a stroke last spring and I'm now his
	// carer": the stroke is not now).
	shift, prevOrig := 0, -1
	for i := range toks {
		w, orig := toks[i].w, toks[i].clause
		if orig == prevOrig {
			next := ""
			if i+1 < len(toks) {
				next = toks[i+1].w
			}
			if clauseWords[w] || (w == "and" && (timeWords[next] || subjects[next])) {
				shift++
			}
		}
		prevOrig = orig
		toks[i].clause = orig + shift
		if i == 0 || toks[i].sent != toks[i-1].sent {
			clauseFirst[toks[i].sent] = toks[i].clause
		}
	}
	return toks, clauseFirst
}

// decimalAt reports whether the '.' or ',' at text[i] is the decimal mark of
// a number that starts at text[start]: digits on both sides, and after a
// comma one or two digits only ("38,9", not the thousands of "1,000").
func decimalAt(text string, start, i int) bool {
	if i+1 >= len(text) || !isDigit(text[i+1]) || !isNum(text[start:i]) {
		return false
	}
	n := 0
	for j := i + 1; j < len(text) && isDigit(text[j]); j++ {
		n++
	}
	return text[i] == '.' || n <= 2
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// laughing are the emoji of laughter, winks and rolled eyes.
var laughing = map[rune]bool{'😂': true, '🤣': true, '😅': true, '😆': true, '😁': true, '😄': true, '😹': true, '🙄': true, '😜': true, '😝': true, '😉': true}

var (
	elided      = wordList("c d j l m n s t qu un dell nell sull all dall")
	clauseWords = wordList("but however although though whereas")
	timeWords   = wordList("now then today tonight since suddenly yesterday this")
	subjects    = wordList("i im ive she shes he hes they theyre we")
	modals      = wordList("will would can could shall should may might must do does did")
)

// parseSeq compiles one phrase. It returns a message on a problem.
func parseSeq(phrase string) (seq, string) {
	var s seq
	for _, f := range strings.Fields(foldWord(phrase)) {
		switch {
		case f == "..":
			s = append(s, slot{kind: slotGap})
		case f == "<year>":
			s = append(s, slot{kind: slotYear})
		case f == "<num>":
			s = append(s, slot{kind: slotNum})
		case f == "^":
			if len(s) > 0 {
				return nil, "\"^\" (the start of a sentence) can only come first"
			}
			s = append(s, slot{kind: slotStart})
		case f == "$":
			s = append(s, slot{kind: slotEnd})
		case f == "<many>":
			s = append(s, slot{kind: slotMany})
		case f == "<several>":
			s = append(s, slot{kind: slotSeveral})
		case f == "<temp>":
			s = append(s, slot{kind: slotTemp})
		case strings.HasPrefix(f, "<") && strings.HasSuffix(f, ">") && len(f) > 2 && !strings.Contains(f, "/"):
			s = append(s, slot{kind: slotConcept, concept: f[1 : len(f)-1]})
		default:
			var sl slot
			for _, alt := range strings.Split(f, "/") {
				alt = strings.ReplaceAll(alt, "'", "")
				if p, ok := strings.CutSuffix(alt, "*"); ok {
					if utf8.RuneCountInString(p) < 3 || !isWord(p) {
						return nil, "\"" + alt + "\": a word ending in * needs at least three letters before the *"
					}
					sl.prefixes = append(sl.prefixes, p)
					continue
				}
				if strings.HasPrefix(alt, "<") && strings.HasSuffix(alt, ">") && len(alt) > 2 {
					sl.alts = append(sl.alts, alt[1:len(alt)-1])
					continue
				}
				if !isWord(alt) {
					return nil, "\"" + alt + "\" is not a word; use letters and digits, with * at the end, / between alternatives, <concept>, .. or <year>"
				}
				sl.words = append(sl.words, alt)
			}
			s = append(s, sl)
		}
	}
	switch {
	case len(s) == 0:
		return nil, "empty"
	case s[0].kind == slotGap || s[len(s)-1].kind == slotGap || (s[0].kind == slotStart && (len(s) == 1 || s[1].kind == slotGap)):
		return nil, "cannot start or end with \"..\", nor be \"^\" alone"
	case s[0].kind == slotEnd:
		return nil, "cannot start with \"$\" (the end of a clause)"
	}
	return s, ""
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// firsts collects the words and prefixes a sequence can start with.
func (m *matcher) firsts(s seq, seen map[string]bool, exact, prefix *[]string, numeric *bool) {
	if len(s) == 0 {
		return
	}
	switch sl := s[0]; sl.kind {
	case slotStart:
		m.firsts(s[1:], seen, exact, prefix, numeric)
	case slotWord:
		*exact = append(*exact, sl.words...)
		*prefix = append(*prefix, sl.prefixes...)
		for _, c := range sl.alts {
			if !seen[c] {
				seen[c] = true
				for _, alt := range m.concepts[c] {
					m.firsts(alt, seen, exact, prefix, numeric)
				}
				delete(seen, c)
			}
		}
	case slotYear, slotNum, slotMany, slotSeveral, slotTemp:
		*numeric = true
	case slotConcept:
		if seen[sl.concept] {
			return
		}
		seen[sl.concept] = true
		for _, alt := range m.concepts[sl.concept] {
			m.firsts(alt, seen, exact, prefix, numeric)
		}
		delete(seen, sl.concept)
	}
}

func (m *matcher) addGroup(g group) {
	id := len(m.groups)
	m.groups = append(m.groups, g)
	var exact, prefix []string
	numeric := false
	m.firsts(g.s, map[string]bool{}, &exact, &prefix, &numeric)
	for _, w := range uniq(exact) {
		m.exact[w] = append(m.exact[w], id)
	}
	for _, p := range uniq(prefix) {
		m.prefix[p] = append(m.prefix[p], id)
	}
	if numeric {
		m.numeric = append(m.numeric, id)
	}
}

func uniq(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// collectVocab records every exact word, and the typo index of the long ones.
func (m *matcher) collectVocab(s seq) {
	for _, sl := range s {
		for _, w := range sl.words {
			m.vocab[w] = true
		}
	}
}

func (m *matcher) buildTypos() {
	m.typos = map[string][]string{}
	for w := range m.vocab {
		if utf8.RuneCountInString(w) < minTypoLen {
			continue
		}
		for _, d := range deletions(w) {
			m.typos[d] = append(m.typos[d], w)
		}
		m.typos[w] = append(m.typos[w], w)
	}
	for k, v := range m.typos {
		m.typos[k] = uniq(v)
	}
}

// deletions are w with one rune removed.
func deletions(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// typoOf returns the lexicon word w is one edit (insertion, deletion,
// substitution or swap of neighbours) away from, or "". The first letter
// is kept: people seldom mistype it, and a word of another language often
// differs from a lexicon word just there ("correr" and "morrer", "venuto"
// and "svenuto").
func (m *matcher) typoOf(w string) string {
	n := utf8.RuneCountInString(w)
	if n < minTypoLen-1 || m.vocab[w] || english.IsCommon(w) {
		return ""
	}
	cands := append([]string{}, m.typos[w]...)
	for _, d := range deletions(w) {
		cands = append(cands, m.typos[d]...)
	}
	for _, c := range cands {
		if utf8.RuneCountInString(c) >= minTypoLen && c[0] == w[0] && Distance(c, w) == 1 {
			return c
		}
	}
	return ""
}

// umlaut returns the lexicon word that w writes with ae, oe or ue for ä, ö
// or ü, as German is typed without them ("waere" is "wäre", folded "ware";
// "ploetzlich" is "plotzlich"), or "".
func (m *matcher) umlaut(w string) string {
	if !strings.Contains(w, "e") {
		return ""
	}
	v := umlauts.Replace(w)
	if v == w {
		return ""
	}
	if m.vocab[v] {
		return v
	}
	return m.typoOf(v)
}

var umlauts = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

func (sl slot) matches(t token) bool {
	for _, w := range sl.words {
		if t.w == w || t.typo == w || t.base == w {
			return true
		}
	}
	for _, p := range sl.prefixes {
		if strings.HasPrefix(t.w, p) || (t.typo != "" && strings.HasPrefix(t.typo, p)) {
			return true
		}
	}
	return false
}

func isYear(w string) bool {
	return len(w) == 4 && (strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")) && isNum(w)
}

// isMany: a number from 10 up, in digits or words.
func isMany(w string) bool {
	if isNum(w) {
		return len(strings.TrimLeft(w, "0")) >= 2
	}
	return manyWords[w]
}

var manyWords = wordList("ten eleven twelve dozen fifteen twenty thirty forty fifty hundred dozens loads")

// isSeveral: a number from 3 up, in digits or words; more than one dose of
// a strong medicine is taken at once.
func isSeveral(w string) bool {
	if isNum(w) {
		t := strings.TrimLeft(w, "0")
		return len(t) >= 2 || (len(t) == 1 && t[0] >= '3')
	}
	return severalWords[w] || manyWords[w]
}

var severalWords = wordList("three four five six seven eight nine several multiple")

// isTemp: a body temperature of a fever, 38 to 43 degrees Celsius or 100.4
// to 110 Fahrenheit, whole or decimal ("38.9"); "36.8" and "37.6" are none.
func isTemp(w string) bool {
	if !isNum(w) && !isDecimal(w) {
		return false
	}
	v, err := strconv.ParseFloat(w, 64)
	return err == nil && ((v >= 38 && v < 44) || (v >= 100.4 && v <= 110))
}

// isDecimal: digits, a point, digits ("38.9"; tokenize writes "38,9" so).
func isDecimal(w string) bool {
	a, b, ok := strings.Cut(w, ".")
	return ok && isNum(a) && isNum(b)
}

func isNum(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return w != ""
}

// reader matches phrases against one message's tokens. It remembers where
// each concept ends from each position, so a concept shared by many signs
// (<person>, <cant>) is matched once per position.
type reader struct {
	m    *matcher
	toks []token
	memo map[memoKey][]int
}

type memoKey struct{ cid, at int }

// ends appends to out every position where s, from slot k, can end when
// it starts at token i. depth bounds concept recursion.
func (r *reader) ends(s seq, k, i, depth int, out []int) []int {
	if k == len(s) {
		return append(out, i)
	}
	toks := r.toks
	sl := s[k]
	switch sl.kind {
	case slotGap:
		// a gap skips words of one sentence: "lost my scan again. my
		// blood ..." is no "lost .. blood"; and never a negation, which
		// would turn what the words say ("stool, no black poo" is no "stool
		// .. black")
		for g := 0; g <= maxGap && i+g <= len(toks); g++ {
			if g > 0 && i > 0 && i+g < len(toks) && toks[i+g].sent != toks[i-1].sent {
				break
			}
			if g > 0 && toks[i+g-1].neg {
				break
			}
			out = r.ends(s, k+1, i+g, depth, out)
		}
		return out
	case slotStart:
		if i == 0 || (i < len(toks) && toks[i-1].sent != toks[i].sent) {
			out = r.ends(s, k+1, i, depth, out)
		}
		return out
	case slotEnd:
		if i >= len(toks) || (i > 0 && toks[i-1].clause != toks[i].clause) {
			out = r.ends(s, k+1, i, depth, out)
		}
		return out
	case slotConcept:
		if depth > 8 {
			return out
		}
		for _, e := range r.concept(sl, i, depth) {
			out = r.ends(s, k+1, e, depth, out)
		}
		return out
	}
	if i >= len(toks) {
		return out
	}
	ok := false
	switch sl.kind {
	case slotWord:
		ok = sl.matches(toks[i])
		if depth <= 8 {
			for a := range sl.alts {
				for _, e := range r.concept(slot{concept: sl.alts[a], cid: sl.altCids[a]}, i, depth) {
					out = r.ends(s, k+1, e, depth, out)
				}
			}
		}
	case slotYear:
		ok = isYear(toks[i].w)
	case slotNum:
		ok = isNum(toks[i].w)
	case slotMany:
		ok = isMany(toks[i].w)
	case slotSeveral:
		ok = isSeveral(toks[i].w)
	case slotTemp:
		ok = isTemp(toks[i].w)
	}
	if ok {
		out = r.ends(s, k+1, i+1, depth, out)
	}
	return out
}

// concept returns where the concept of sl ends when it starts at token i.
func (r *reader) concept(sl slot, i, depth int) []int {
	name := sl.concept
	key := memoKey{sl.cid, i}
	if e, ok := r.memo[key]; ok {
		return e
	}
	var es []int
	if i < len(r.toks) {
		var ix *conceptIndex
		var seqs []seq
		if c := sl.cid; c >= 0 && c < len(r.m.byCid) && r.m.byCid[c].name == name {
			ix, seqs = r.m.byCid[c].ix, r.m.byCid[c].seqs
		} else {
			ix, seqs = r.m.conceptIx[name], r.m.concepts[name]
		}
		t := r.toks[i]
		try := func(alts []int) {
			for _, a := range alts {
				es = r.ends(seqs[a], 0, i, depth+1, es)
			}
		}
		try(ix.exact[t.w])
		if t.typo != "" {
			try(ix.exact[t.typo])
		}
		if t.base != "" {
			try(ix.exact[t.base])
		}
		for _, p := range ix.prefixes {
			if strings.HasPrefix(t.w, p.prefix) || (t.typo != "" && strings.HasPrefix(t.typo, p.prefix)) {
				try(p.alts)
			}
		}
		try(ix.rest)
	}
	// only non-empty matches, each end once
	out := es[:0]
	for _, e := range es {
		if e > i && !slicesContains(out, e) {
			out = append(out, e)
		}
	}
	r.memo[key] = out
	return out
}

func slicesContains(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

type occurrence struct{ start, end int } // tokens [start, end)

// Check runs triage on text (normalised user text; case does not matter).
func (s Safety) Check(text string) Triage {
	m := s.matcher
	if m == nil {
		return Triage{}
	}
	toks, clauseFirst := tokenize(text)
	sc := m.getScratch()
	defer m.putScratch(sc)
	for i := range toks {
		w := toks[i].w
		typo, ok := sc.typos[w]
		if !ok {
			if typo = m.typoOf(w); typo == "" {
				typo = m.umlaut(w)
			}
			sc.typos[w] = typo
		}
		toks[i].typo = typo
		toks[i].neg = m.negWords[w]
	}
	occ := sc.occ
	r := &reader{m: m, toks: toks, memo: sc.memo}
	var cand, ends []int
	for i, t := range toks {
		cand = cand[:0]
		cand = append(cand, m.exact[t.w]...)
		if t.typo != "" {
			cand = append(cand, m.exact[t.typo]...)
		}
		if t.base != "" {
			cand = append(cand, m.exact[t.base]...)
		}
		for _, w := range []string{t.w, t.typo} {
			for k := minPrefix; k <= len(w); k++ {
				cand = append(cand, m.prefix[w[:k]]...)
			}
		}
		if isNum(t.w) || isDecimal(t.w) {
			cand = append(cand, m.numeric...)
		}
		for _, g := range cand {
			ends = r.ends(m.groups[g].s, 0, i, 0, ends[:0])
			for _, e := range ends {
				if e <= i {
					continue
				}
				os := occ[g]
				if n := len(os); n > 0 && os[n-1].start == i {
					os[n-1].end = max(os[n-1].end, e)
					continue
				}
				occ[g] = append(os, occurrence{i, e})
			}
		}
	}
	neg := m.negation(toks, occ)
	var out Triage
	out.Foreign = foreign(toks)
	done := map[int]bool{}
	for _, sg := range m.signs {
		if done[sg.flag] {
			continue
		}
		for _, sp := range m.spans(sg, occ, toks) {
			score := m.score(sp, sg, s.RedFlags[sg.flag].Crisis, toks, occ, clauseFirst, neg)
			if score <= 0 {
				continue
			}
			f := s.RedFlags[sg.flag]
			start, end := clauseSpan(toks, sp, len(text))
			out.Flags = append(out.Flags, Flag{ID: f.ID, Category: f.Category, Crisis: f.Crisis,
				Sign: sg.text, Line: sg.line, Score: score, Start: start, End: end})
			done[sg.flag] = true
			break
		}
	}
	sort.SliceStable(out.Flags, func(i, j int) bool { return out.Flags[i].Crisis && !out.Flags[j].Crisis })
	return out
}

// presentTense is the concept of words that put a sentence in the present
// ("is", "has", "feels"); a cue with "carries: true" holds for the
// sentences after it until one speaks in the present.
const presentTense = "present-tense"

// personConcept names a person (I, my dad, she): a clause without one, and
// without a verb in the present, mentions a topic rather than tells of one.
const personConcept = "person"

// negationPasses are the words a negation reaches over to what it negates
// ("never had a seizure"); negationVoid the phrasings that make it a
// comparison ("never had pain like this"). See matcher.negates.
const (
	negationPasses = "negation-passes"
	negationVoid   = "negation-void"
	// negationNouns are the negations that deny a noun ("no", "kein",
	// "sin"): they reach over up to nounReach words of its phrase ("no lip
	// swelling", "no new calf pain").
	negationNouns = "negation-nouns"
	nounReach     = 2
)

// clauseSpan is the byte range of the clauses a sign occurs in: from the
// first word of its first clause to the first word after its last.
func clauseSpan(toks []token, sp span, n int) (start, end int) {
	lo, hi := toks[sp.start].clause, toks[sp.end-1].clause
	for _, p := range sp.parts {
		lo, hi = min(lo, toks[p.start].clause), max(hi, toks[p.end-1].clause)
	}
	start, end = -1, n
	for _, t := range toks {
		if t.clause == lo && start < 0 {
			start = t.start
		}
		if t.clause > hi {
			end = t.start
			break
		}
	}
	return max(start, 0), end
}

// span is where a whole sign occurs, with the token ranges of its groups.
type span struct {
	start, end int
	parts      []occurrence
}

// spans lists where every group of sg occurs within signWindow tokens, or
// within one sentence of at most sentenceWindow tokens between them.
func (m *matcher) spans(sg sign, occ [][]occurrence, toks []token) []span {
	var out []span
	for _, a := range occ[sg.groups[0]] {
		sp := span{start: a.start, end: a.end, parts: []occurrence{a}}
		ok := true
		for _, g := range sg.groups[1:] {
			found := false
			for _, o := range occ[g] {
				lo, hi := min(sp.start, o.start), max(sp.end, o.end)
				near := hi-lo <= signWindow || (hi-lo <= sentenceWindow && toks[lo].sent == toks[hi-1].sent)
				if near && !overlaps(o, sp.parts) {
					sp.start, sp.end = lo, hi
					sp.parts = append(sp.parts, o)
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, sp)
		}
	}
	return out
}

func overlaps(o occurrence, parts []occurrence) bool {
	for _, p := range parts {
		if o.start < p.end && p.start < o.end {
			return true
		}
	}
	return false
}

// score weighs a sign's occurrence with the cues around it: a cue that
// raises counts in a clause of the sign; a cue that lowers counts there
// too, and when it frames (see cue.frames) in the first clause of its
// sentence ("Years ago, I had a stroke"; "What if, after the session, my
// leg goes numb?"). Clauses end at
// commas and the like and at "but" or "and now", so in "I had a DVT years
// ago and now my calf is swollen" the calf is not lowered by "years ago".
func (m *matcher) score(sp span, sg sign, crisis bool, toks []token, occ [][]occurrence, clauseFirst map[int]int, neg negation) int {
	firstSent, lastSent := toks[sp.start].sent, toks[sp.end-1].sent
	clauses := map[int]bool{}
	raising := map[int]bool{} // the clauses where a raising cue counts
	// reported is the sentence of the last part of the sign that tells
	// what happens (not who), when that sentence asks nothing: a report
	// after a question (see below); -1 otherwise.
	reported := -1
	for pi, p := range sp.parts {
		who := pi < len(sg.groups) && m.groups[sg.groups[pi]].who
		if last := toks[p.end-1]; !who && !last.asks && last.sent > reported {
			reported = last.sent
		}
		for i := p.start; i < p.end; i++ {
			clauses[toks[i].clause] = true
			if !who {
				raising[toks[i].clause] = true
			}
		}
	}
	// Does the sign's sentence speak in the present? Then a time frame set
	// by an earlier sentence ("I had an accident 2 months ago.") stops.
	// Does the sign's own clause name no one and speak in no tense ("chest
	// pain after shockwave - is that a side effect?")? Then it is a topic,
	// and lowering cues count anywhere in its sentence.
	// Does the sign's own clause speak in the present? If not, a time
	// frame anywhere in its sentence holds ("My grandad's leg went blue
	// before his amputation, decades ago").
	present, topic, clausePresent, tensed := false, true, false, false
	// now holds the clauses and the sentences before the sign's sentence
	// that speak in the present: a time frame said in such a clause
	// describes the present ("everyone my age is at uni"), and one carries
	// no further than such a sentence.
	var now map[[2]int]bool
	for gi, g := range m.groups {
		if g.tense || g.person || (g.cue >= 0 && m.cues[g.cue].weight > 0) {
			for _, o := range occ[gi] {
				t := toks[o.start]
				if t.sent < firstSent && !g.person {
					if now == nil {
						now = map[[2]int]bool{}
					}
					now[[2]int{0, t.clause}], now[[2]int{1, t.sent}] = true, true
				}
				if t.sent >= firstSent && t.sent <= lastSent && !g.person {
					present = true
					tensed = tensed || g.tense
				}
				if clauses[t.clause] {
					topic = false
					if !g.person {
						clausePresent = true
					}
				}
			}
		}
	}
	seen := map[int]bool{}
	raise, lower := 0, 0
	// framed: a time frame lowered the sign; timeless raising cues then
	// tell of the past event, and raise nothing
	framed, timeless := false, 0
	for gi, g := range m.groups {
		if g.cue < 0 || seen[g.cue] {
			continue
		}
		c := m.cues[g.cue]
		if (!c.crisis && crisis) || (c.topic && !topic) {
			continue
		}
		for _, o := range occ[gi] {
			t := toks[o.start]
			if c.negates {
				if !m.negates(o, sp, sg, crisis, toks, occ, neg.passes) {
					continue
				}
				seen[g.cue] = true
				lower += c.weight
				break
			}
			if neg.reached[o.start] {
				continue // a negated cue: "not getting better", "I'm not joking"
			}
			switch {
			case c.answers:
				// "Chest pain? No.": the sentence right after a sign that asks
				if crisis || t.sent != lastSent+1 || !toks[sp.end-1].asks {
					continue
				}
			case c.weight < 0 && !c.carries && t.asks && t.sent < reported:
				// a question, then a report that ends the sign: "is it
				// normal for the toes after ESWT? they have gone numb and
				// blue" - the question's cues are the question's
				continue
			case t.sent > lastSent:
				// an outcome told in the next sentences of a story told
				// in the past: "my calf swelled up in August. The scan
				// was clear." (never of a crisis)
				if !c.after || c.weight > 0 || crisis || tensed || t.sent > lastSent+afterSentences {
					continue
				}
			case t.sent < firstSent:
				if !c.carries || c.weight > 0 || present || now[[2]int{0, t.clause}] {
					continue
				}
				between := false
				for k := t.sent + 1; k < firstSent && !between; k++ {
					between = now[[2]int{1, k}]
				}
				if between {
					continue
				}
			case c.weight > 0 && !raising[t.clause]:
				continue
			case c.after && t.sent == lastSent && t.clause > toks[sp.end-1].clause:
				// an outcome told after the event
			case asked(toks, sp, t, clauses) && !clausePresent && c.weight < 0 && !c.carries:
				// a story, then a question about it: "my aunt had a DVT
				// after her knee replacement, is that a risk with ESWT?"
			case !clauses[t.clause] && (c.weight > 0 || (!topic && (t.clause != clauseFirst[t.sent] || !c.frames()) && !(c.carries && !clausePresent))):
				continue
			}
			seen[g.cue] = true
			switch {
			case c.weight > 0 && c.timeless:
				timeless += c.weight
			case c.weight > 0:
				raise += c.weight
			default:
				lower += c.weight
				framed = framed || c.carries
			}
			break
		}
	}
	if !framed {
		raise += timeless
	}
	return baseScore + min(raise, maxRaise) + lower
}

// negation marks, in a message, the words a negation reaches over
// (passes: words of negation-passes) and the words it reaches (reached:
// from the word after a negation to the first word not in passes, in its
// clause). A cue a negation reaches does not count: "it isn't getting
// better" is not "getting better".
type negation struct {
	passes, reached []bool
}

func (m *matcher) negation(toks []token, occ [][]occurrence) negation {
	n := negation{passes: make([]bool, len(toks)), reached: make([]bool, len(toks))}
	if m.passes >= 0 {
		for _, o := range occ[m.passes] {
			for i := o.start; i < o.end; i++ {
				n.passes[i] = true
			}
		}
	}
	for _, gi := range m.negators {
		for _, o := range occ[gi] {
			for j := o.end; j < len(toks) && toks[j].clause == toks[o.start].clause; j++ {
				n.reached[j] = true
				if !n.passes[j] {
					break
				}
			}
		}
	}
	return n
}

// negates reports whether the negation at o stands before a part of the
// sign's occurrence sp that names what happens, not who: in its clause,
// before it, reaching over words of negation-passes only ("never had a
// seizure"), or over a few words and "or" ("no chest pain or
// breathlessness"). A negation inside the sign is the sign's own ("not
// breathing", "can't feel my leg"); one followed in its clause by a phrasing
// of negation-void is a comparison ("never had pain like this"). Before a
// crisis sign, only a negation right before it counts ("I don't self harm"):
// "I don't have a reason to live" negates nothing.
func (m *matcher) negates(o occurrence, sp span, sg sign, crisis bool, toks []token, occ [][]occurrence, passes []bool) bool {
	if overlaps(o, sp.parts) {
		return false
	}
	clause := toks[o.start].clause
	if m.void >= 0 {
		for _, v := range occ[m.void] {
			if v.start >= o.end && toks[v.start].clause == clause {
				return false
			}
		}
	}
	for pi, p := range sp.parts {
		if (pi < len(sg.groups) && m.groups[sg.groups[pi]].who) || p.start < o.end || toks[p.start].clause != clause {
			continue
		}
		if p.start == o.end {
			return true
		}
		if crisis {
			continue
		}
		bridged := passes != nil
		for i := o.end; i < p.start && bridged; i++ {
			bridged = passes[i]
		}
		if last := toks[p.start-1].w; bridged || (p.start-o.end <= 4 && (last == "or" || last == "nor")) {
			return true
		}
		if p.start-o.end <= nounReach && m.nounNeg >= 0 {
			for _, d := range occ[m.nounNeg] {
				if d.start == o.start {
					return true
				}
			}
		}
	}
	return false
}

// asked reports whether the cue at t is in a later clause of the sign's own
// sentence, and that sentence asks a question.
func asked(toks []token, sp span, t token, clauses map[int]bool) bool {
	last := toks[sp.end-1]
	return t.asks && t.sent == last.sent && t.clause > last.clause && !clauses[t.clause]
}

// compileTriage builds the matcher from the loaded concepts, cues and red
// flags, reporting what cannot be compiled.
func compileTriage(s *Safety, concepts map[string][]string, conceptLines map[string][]int, r report) {
	m := &matcher{concepts: map[string][]seq{}, exact: map[string][]int{}, prefix: map[string][]int{}, vocab: map[string]bool{}, negWords: map[string]bool{}}
	for name, phrases := range concepts {
		for i, p := range phrases {
			sq, msg := parseSeq(p)
			if msg != "" {
				r.add(conceptLines[name][i], "concepts."+name, "%q: %s", p, msg)
				continue
			}
			m.concepts[name] = append(m.concepts[name], sq)
			m.collectVocab(sq)
		}
	}
	m.conceptIx = map[string]*conceptIndex{}
	for name, alts := range m.concepts {
		ix := &conceptIndex{exact: map[string][]int{}}
		byPrefix := map[string][]int{}
		for a, sq := range alts {
			if sq[0].kind != slotWord || len(sq[0].alts) > 0 {
				ix.rest = append(ix.rest, a)
				if sq[0].kind != slotWord {
					continue
				}
			}
			for _, w := range sq[0].words {
				ix.exact[w] = append(ix.exact[w], a)
			}
			for _, p := range sq[0].prefixes {
				byPrefix[p] = append(byPrefix[p], a)
			}
		}
		for p, as := range byPrefix {
			ix.prefixes = append(ix.prefixes, struct {
				prefix string
				alts   []int
			}{p, as})
		}
		m.conceptIx[name] = ix
	}
	checkRefs := func(sq seq, line int, field, text string) bool {
		for _, sl := range sq {
			names := sl.alts
			if sl.kind == slotConcept {
				names = []string{sl.concept}
			}
			for _, name := range names {
				if _, ok := m.concepts[name]; !ok {
					r.add(line, field, "%q uses <%s>, which is not a concept; add it under concepts or fix the name", text, name)
					return false
				}
			}
		}
		return true
	}
	for name, alts := range m.concepts {
		for i, sq := range alts {
			checkRefs(sq, conceptLines[name][i], "concepts."+name, concepts[name][i])
		}
	}
	if _, ok := m.concepts[presentTense]; ok {
		m.addGroup(group{s: seq{{kind: slotConcept, concept: presentTense}}, sign: -1, cue: -1, tense: true})
	}
	if _, ok := m.concepts[personConcept]; ok {
		m.addGroup(group{s: seq{{kind: slotConcept, concept: personConcept}}, sign: -1, cue: -1, person: true})
	}
	m.passes, m.void, m.nounNeg = -1, -1, -1
	if _, ok := m.concepts[negationNouns]; ok {
		m.nounNeg = len(m.groups)
		m.addGroup(group{s: seq{{kind: slotConcept, concept: negationNouns}}, sign: -1, cue: -1})
	}
	if _, ok := m.concepts[negationPasses]; ok {
		m.passes = len(m.groups)
		m.addGroup(group{s: seq{{kind: slotConcept, concept: negationPasses}}, sign: -1, cue: -1})
	}
	if _, ok := m.concepts[negationVoid]; ok {
		m.void = len(m.groups)
		m.addGroup(group{s: seq{{kind: slotConcept, concept: negationVoid}}, sign: -1, cue: -1})
	}
	for ci, c := range s.Cues {
		m.cues = append(m.cues, cue{name: c.Name, weight: c.Weight, carries: c.Carries, crisis: c.Crisis, topic: c.Topic, after: c.After, negates: c.Negates, timeless: c.Timeless, answers: c.Answers})
		for i, p := range c.Phrases {
			sq, msg := parseSeq(p)
			if msg != "" {
				r.add(c.lines[i], "cues."+c.Name, "%q: %s", p, msg)
				continue
			}
			if !checkRefs(sq, c.lines[i], "cues."+c.Name, p) {
				continue
			}
			m.collectVocab(sq)
			if c.Negates {
				m.negators = append(m.negators, len(m.groups))
				if len(sq) == 1 && sq[0].kind == slotWord {
					for _, w := range sq[0].words {
						m.negWords[w] = true
					}
				}
			}
			m.addGroup(group{s: sq, sign: -1, cue: ci})
		}
	}
	for fi, f := range s.RedFlags {
		for i, text := range f.Signs {
			sg := sign{flag: fi, text: text, line: f.signLines[i]}
			ok := true
			for _, part := range strings.Split(text, " + ") {
				sq, msg := parseSeq(part)
				if msg != "" {
					r.add(sg.line, "red_flags."+f.ID+".signs", "%q: %s", text, msg)
					ok = false
					break
				}
				if !checkRefs(sq, sg.line, "red_flags."+f.ID+".signs", text) {
					ok = false
					break
				}
				m.collectVocab(sq)
				sg.groups = append(sg.groups, len(m.groups))
				who := len(sq) == 1 && sq[0].kind == slotConcept && whoConcepts[sq[0].concept]
				m.addGroup(group{s: sq, sign: len(m.signs), cue: -1, who: who})
			}
			if ok {
				m.signs = append(m.signs, sg)
			}
		}
	}
	m.buildTypos()
	m.numberConcepts()
	s.matcher = m
}

// whoConcepts name someone: a sign part that is one of them alone only says
// who the sign is about.
var whoConcepts = map[string]bool{personConcept: true, "other": true, "self": true}

// numberConcepts sets the number of the concept of every slot that names one.
func (m *matcher) numberConcepts() {
	ids := map[string]int{}
	for name := range m.concepts {
		ids[name] = len(ids)
		m.byCid = append(m.byCid, conceptByID{name: name, ix: m.conceptIx[name], seqs: m.concepts[name]})
	}
	number := func(sq seq) {
		for k := range sq {
			if sq[k].kind == slotConcept {
				sq[k].cid = ids[sq[k].concept]
			}
			sq[k].altCids = nil
			for _, c := range sq[k].alts {
				sq[k].altCids = append(sq[k].altCids, ids[c])
			}
		}
	}
	for _, alts := range m.concepts {
		for _, sq := range alts {
			number(sq)
		}
	}
	for _, g := range m.groups {
		number(g.s)
	}
}

// englishWords and languageWords are common function words, for telling a
// message in another language from English with a few medical words, and
// which language it is.
var englishWords = wordList(`the a an and or but of to in on at for with is are was were be been am i you he she it we
they my your his her our their me him them this that what how why when where which who can could would should will
do does did have has had not no yes if so just about from after before up out my im its dont cant please help`)

var languageWords = []struct {
	lang  string
	words map[string]bool
}{
	{"es", wordList(`el la los las de del que y en un una es por con para no se lo mi me muy pero como estoy tengo`)},
	{"fr", wordList(`le les des du et est une pas je tu il nous vous avec pour dans sur qui ne suis mon ma mes plus`)},
	{"de", wordList(`der die das und ist nicht ich du er sie wir mit auf fur ein eine den dem zu mich mir bin habe kein`)},
	{"pt", wordList(`o os as um uma nao com eu voce ele ela meu minha estou tenho mais`)},
	{"it", wordList(`il lo gli e non di che io sono mio mia ho piu per con`)},
	{"pl", wordList(`i nie jest sie to na w z ze jak mam jestem mnie moj moja juz`)},
	{"nl", wordList(`de het een en ik je niet is met op van dat die mijn ben heb wil geen meer`)},
}

var otherWords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range languageWords {
		for w := range l.words {
			m[w] = true
		}
	}
	return m
}()

// Language names the language a message reads as: "en" for English, the
// code of one of the seven other languages whose function words it uses
// most (es, fr, de, pt, it, pl, nl), or "other" for a script other than
// Latin. The learned backstop balances its training by it, so that a
// language is no evidence of an emergency.
func Language(text string) string {
	toks, _ := tokenize(text)
	if !foreign(toks) {
		return "en"
	}
	best, most := "other", 0
	for _, l := range languageWords {
		n := 0
		for _, t := range toks {
			if l.words[t.w] {
				n++
			}
		}
		if n > most {
			best, most = l.lang, n
		}
	}
	return best
}

func wordList(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// foreign reports whether a message reads as another language: letters
// mostly outside the Latin script, or more function words of other
// languages than of English.
func foreign(toks []token) bool {
	if len(toks) < 2 {
		return false
	}
	latin, other, en, fw := 0, 0, 0, 0
	for _, t := range toks {
		for _, r := range t.w {
			if unicode.IsLetter(r) {
				if unicode.Is(unicode.Latin, r) {
					latin++
				} else {
					other++
				}
			}
		}
		switch {
		case englishWords[t.w]:
			en++
		case otherWords[t.w]:
			fw++
		}
	}
	if other > latin {
		return true
	}
	return len(toks) >= 3 && fw >= 2 && fw > 2*en
}
