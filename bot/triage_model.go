package bot

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/avnbot/avnbot/knowledge"
)

// The learned half of triage. The red flags of safety.yaml catch the
// emergencies their lexicons describe; an emergency told in words no
// lexicon holds ("I'm done fighting", "took about 20 ibuprofen") slips
// through them. This backstop is a naive Bayes model over the words, word
// pairs and letter sequences of the messages of triage_examples.jsonl (the
// team's bank of emergencies and ordinary messages) and of the FAQ's own
// phrasings, which are all ordinary. It raises a flag only where the red
// flags raised none, and only above a threshold set by cross-validation so
// that almost no ordinary message of the bank crosses it: it adds recall,
// it must not add alarms. A second model, crisis messages against ordinary
// ones alone, raises a crisis on its own threshold.
//
// It also reads the messages the red flags did raise, and withdraws a weak
// alarm (see alarm.withdraws) from a message that reads as more ordinary
// than any emergency of the bank did when held out in cross-validation: the
// rules' precision gains from a model of the whole message, and no crisis,
// nor an emergency told with a raising cue ("now", "can't"), is withdrawn.

//go:embed triage_examples.jsonl
var triageExamples []byte

// alarmBuckets is the size of the hashed feature space.
const alarmBuckets = 1 << 18

// alarmFalseRate is the share of the ordinary messages held out in
// cross-validation that may cross the emergency model's threshold, and
// crisisFalseRate the crisis model's: missing a crisis costs most, so it
// has the larger share. Together the two cross far fewer than the sum (a
// message that reads as a crisis often reads as an emergency too): the
// tune bank's ordinary messages stay within the 1% of the gate in
// TestTriageBanks, rules included.
const (
	alarmFalseRate  = 0.005
	crisisFalseRate = 0.0075
)

// alarmFolds is the number of cross-validation folds, and alarmRepeats
// the number of partitions into folds a threshold is averaged over.
const (
	alarmFolds   = 5
	alarmRepeats = 3
)

// example is one labelled message.
type example struct {
	Text     string `json:"text"`
	Urgent   bool   `json:"urgent"`
	Crisis   bool   `json:"crisis"`
	Category string `json:"category"`
}

// readExamples parses JSON lines of examples.
func readExamples(data []byte) ([]example, error) {
	var out []example
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e example
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// nb is a two-class naive Bayes model over hashed features: the log-odds
// each feature adds for the positive class; 0 for a feature never seen.
type nb struct {
	logOdds []float32
}

// trainNB fits the model on feature sets and their labels, with add-one
// smoothing over the features seen. groups, when given, name each message's
// language: the messages are weighed so that within every language the two
// classes weigh what they do over all (see balance).
func trainNB(feats [][]uint32, pos []bool, groups []string) nb {
	cp, cn := make([]float32, alarmBuckets), make([]float32, alarmBuckets)
	var tp, tn float64
	w := balance(pos, groups)
	for i, fs := range feats {
		c, t := cn, &tn
		if pos[i] {
			c, t = cp, &tp
		}
		for _, f := range fs {
			c[f] += w[i]
		}
		*t += float64(w[i]) * float64(len(fs))
	}
	v := 0.0
	for f := range cp {
		if cp[f]+cn[f] > 0 {
			v++
		}
	}
	m := nb{logOdds: cp} // reused: each count is read before it is replaced
	lp, ln := math.Log(tp+v), math.Log(tn+v)
	for f := range cp {
		if cp[f]+cn[f] > 0 {
			m.logOdds[f] = float32(math.Log(float64(cp[f])+1) - lp - math.Log(float64(cn[f])+1) + ln)
		}
	}
	return m
}

// maxBalance bounds the weight balance gives one message: a language with
// very few messages of one class should not let them speak for many.
const maxBalance = 4

// balance weighs each message so that its group (its language) says as
// little as it can of its class: within every group, the class it holds too
// few of is weighed up (at most maxBalance times) until the two classes stand
// in the ratio they do among all the messages; the other class keeps weight 1,
// so no emergency's words count for less. The bank holds more crisis messages
// in other languages than ordinary ones (they were written to cover crisis
// phrasings in seven languages), and the model trained on it unweighed read a
// Spanish question about moving an appointment as a crisis. Without groups
// every weight is 1.
func balance(pos []bool, groups []string) []float32 {
	w := make([]float32, len(pos))
	for i := range w {
		w[i] = 1
	}
	if groups == nil {
		return w
	}
	type key struct {
		g   string
		pos bool
	}
	n := map[key]int{}
	ng := map[string]int{}
	npos := 0
	for i, p := range pos {
		n[key{groups[i], p}]++
		ng[groups[i]]++
		if p {
			npos++
		}
	}
	share := map[bool]float64{true: float64(npos) / float64(len(pos)), false: 1 - float64(npos)/float64(len(pos))}
	raw := func(k key) float64 {
		if n[k] == 0 {
			return math.Inf(1)
		}
		return float64(ng[k.g]) * share[k.pos] / float64(n[k])
	}
	for i, p := range pos {
		k := key{groups[i], p}
		least := min(raw(key{k.g, true}), raw(key{k.g, false}))
		w[i] = float32(min(maxBalance, raw(k)/least))
	}
	return w
}

// score is the evidence for the positive class, per feature of the text:
// the sum of the known features' log-odds over the square root of their
// number, so that a long text needs more evidence than a short one.
func (m nb) score(fs []uint32) float64 {
	var s float64
	for _, f := range fs {
		s += float64(m.logOdds[f])
	}
	return s / math.Sqrt(float64(max(len(fs), 1)))
}

// alarmModel decides whether a message the red flags passed over is an
// emergency, and whether a crisis.
type alarmModel struct {
	urgent    nb
	crisis    nb // among emergencies: a crisis or another emergency
	threshold float64
	// floor is the least score of any emergency held out in
	// cross-validation: below it, a message reads as more ordinary than
	// every emergency of the bank did.
	floor float64
	// crisisAlone tells crisis messages from ordinary ones (the other
	// emergencies left out), with its own threshold: crisis language is
	// its own, and reads more clearly apart.
	crisisAlone     nb
	crisisThreshold float64
}

// trainAlarm fits the backstop on the bank's examples and the FAQ's
// phrasings (ordinary messages), and sets its threshold by
// cross-validation.
func trainAlarm(examples []example, ordinary []string) (*alarmModel, error) {
	var feats [][]uint32
	var wins [][][]uint32
	var keys []uint32
	var langs []string
	var urgent, crisis []bool
	for _, e := range examples {
		feats = append(feats, alarmFeatures(e.Text))
		wins = append(wins, windowFeatures(e.Text))
		keys = append(keys, fnv(fnvBasis, e.Text))
		langs = append(langs, knowledge.Language(e.Text))
		urgent = append(urgent, e.Urgent)
		crisis = append(crisis, e.Crisis)
	}
	for _, q := range ordinary {
		feats = append(feats, alarmFeatures(q))
		wins = append(wins, windowFeatures(q))
		keys = append(keys, fnv(fnvBasis, q))
		langs = append(langs, "en")
		urgent = append(urgent, false)
		crisis = append(crisis, false)
	}
	var nPos, nNeg int
	for _, u := range urgent {
		if u {
			nPos++
		} else {
			nNeg++
		}
	}
	if nPos < 2*alarmFolds || nNeg < 2*alarmFolds {
		return nil, fmt.Errorf("triage examples: %d emergencies and %d ordinary messages; need %d of each", nPos, nNeg, 2*alarmFolds)
	}
	all := make([]bool, len(feats))
	ordinaryOrCrisis := make([]bool, len(feats))
	for i := range feats {
		all[i] = true
		ordinaryOrCrisis[i] = !urgent[i] || crisis[i]
	}
	a := &alarmModel{}
	// The crisis models are weighed by language (see balance): crisis
	// messages in other languages outnumber ordinary ones in the bank. The
	// emergency model is not: weighed so, it read more everyday English
	// questions as emergencies ("our budgie ..., what should I do?").
	a.urgent, a.threshold, a.floor = fitNB(feats, wins, keys, nil, urgent, all, alarmFalseRate)
	a.crisisAlone, a.crisisThreshold, _ = fitNB(feats, wins, keys, langs, crisis, ordinaryOrCrisis, crisisFalseRate)
	var ef [][]uint32
	var ec []bool
	var eg []string
	for i := range feats {
		if urgent[i] {
			ef = append(ef, feats[i])
			ec = append(ec, crisis[i])
			eg = append(eg, langs[i])
		}
	}
	a.crisis = trainNB(ef, ec, eg)
	return a, nil
}

// fitNB fits naive Bayes on the features whose use is true, labelled pos,
// weighed by language (langs; nil: unweighed, see balance),
// and sets its threshold by cross-validation: the score that a share rate
// of the negatives held out cross, averaged over
// alarmRepeats partitions into folds (a message's fold is a hash of its
// text, so adding a message to the bank moves no other). floor is the
// least score of a positive held out in any of them.
func fitNB(feats [][]uint32, wins [][][]uint32, keys []uint32, langs []string, pos, use []bool, rate float64) (m nb, threshold, floor float64) {
	// The alarmRepeats*alarmFolds models held out, and the final one, are
	// trained at once, one per CPU: start-up waits for the slowest only.
	type fit struct {
		held  []float64
		floor float64
		m     nb
	}
	fits := make([]fit, alarmRepeats*alarmFolds+1)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for j := range fits {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			r, k := j/alarmFolds, j%alarmFolds
			final := j == len(fits)-1
			out := func(i int) bool {
				return !final && int(fnv(keys[i], strconv.Itoa(r))%alarmFolds) == k
			}
			var fs [][]uint32
			var ys []bool
			var gs []string
			for i := range feats {
				if use[i] && !out(i) {
					fs = append(fs, feats[i])
					ys = append(ys, pos[i])
					if langs != nil {
						gs = append(gs, langs[i])
					}
				}
			}
			f := fit{m: trainNB(fs, ys, gs), floor: math.Inf(1)}
			for i := range feats {
				switch {
				case !use[i] || !out(i):
				case !pos[i]:
					f.held = append(f.held, f.m.best(feats[i], wins[i]))
				default:
					f.floor = min(f.floor, f.m.best(feats[i], wins[i]))
				}
			}
			if !final {
				f.m = nb{} // only the scores are kept
			}
			fits[j] = f
		}()
	}
	wg.Wait()
	floor = math.Inf(1)
	for r := range alarmRepeats {
		var held []float64
		for k := range alarmFolds {
			f := fits[r*alarmFolds+k]
			held = append(held, f.held...)
			floor = min(floor, f.floor)
		}
		slices.Sort(held)
		slices.Reverse(held)
		threshold += held[int(float64(len(held))*rate)] / alarmRepeats
	}
	return fits[len(fits)-1].m, threshold, floor
}

// alarm is what the backstop finds in a message.
type alarm struct {
	raised                  bool
	crisis                  bool
	score, threshold, floor float64
}

// withdraws reports whether the backstop withdraws the red flags the rules
// raised: only when each is weak (no crisis, no raising cue: a sign alone,
// Score 1) and the whole message reads as more ordinary than any emergency
// held out did.
func (al alarm) withdraws(flags []knowledge.Flag) bool {
	if len(flags) == 0 || al.score >= al.floor {
		return false
	}
	for _, f := range flags {
		if f.Crisis || f.Score > 1 {
			return false
		}
	}
	return true
}

// check scores the whole message, as the threshold was set on whole
// messages: a sentence alone would cross it more easily. An alarm covers
// the whole message, so no FAQ answer comes from a part of it.
func (m *alarmModel) check(text string) alarm {
	fs, ws := alarmFeatures(text), windowFeatures(text)
	al := alarm{score: m.urgent.best(fs, ws), threshold: m.threshold, floor: m.floor}
	if al.score > m.threshold {
		al.raised = true
		al.crisis = m.crisis.best(fs, ws) > 0
	}
	if !al.crisis && m.crisisAlone.best(fs, ws) > m.crisisThreshold {
		al.raised, al.crisis = true, true
	}
	return al
}

// best is the highest score of a message, whole (fs) or any of its windows
// (ws, see windowFeatures).
func (m nb) best(fs []uint32, ws [][]uint32) float64 {
	s := m.score(fs)
	for _, w := range ws {
		s = max(s, m.score(w))
	}
	return s
}

// windowSentences is the size of the windows a long message is also read
// in.
const windowSentences = 2

// windowFeatures are the features of each window of windowSentences
// consecutive sentences of a message longer than that, nil for a shorter
// one: an emergency told in the middle of a long chatty message reads
// there as it would alone, where the whole message reads as ordinary.
// Each window's features are distinct, in no particular order (a score is
// their sum): each sentence is read once, and a window's repeats are
// dropped by marking the features seen, not by sorting.
func windowFeatures(text string) [][]uint32 {
	sents := sentences(text)
	if len(sents) <= windowSentences {
		return nil
	}
	each := make([][]uint32, len(sents))
	for i, t := range sents {
		each[i] = rawFeatures(t)
	}
	seen := marksPool.Get().(*marks)
	defer marksPool.Put(seen)
	out := make([][]uint32, 0, len(sents)-windowSentences+1)
	for i := 0; i+windowSentences <= len(sents); i++ {
		seen.next()
		var w []uint32
		for _, fs := range each[i : i+windowSentences] {
			for _, f := range fs {
				if seen.first(f) {
					w = append(w, f)
				}
			}
		}
		out = append(out, w)
	}
	return out
}

// marks tell which features a window has seen: mark[f] == gen.
type marks struct {
	gen  uint32
	mark []uint32
}

var marksPool = sync.Pool{New: func() any { return &marks{mark: make([]uint32, alarmBuckets)} }}

// next starts a new window.
func (m *marks) next() {
	m.gen++
	if m.gen == 0 { // wrapped: forget every old mark
		clear(m.mark)
		m.gen = 1
	}
}

// first reports whether f is seen for the first time in this window.
func (m *marks) first(f uint32) bool {
	if m.mark[f] == m.gen {
		return false
	}
	m.mark[f] = m.gen
	return true
}

// sentences splits text at . ! ? ; and line breaks (a full stop only
// before a space or the end, not in "38.5").
func sentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		end := c == '!' || c == '?' || c == ';' || c == '\n' || (c == '.' && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\n'))
		if !end {
			continue
		}
		if t := strings.TrimSpace(text[start : i+1]); strings.ContainsFunc(t, unicode.IsLetter) {
			out = append(out, t)
		}
		start = i + 1
	}
	if t := strings.TrimSpace(text[start:]); strings.ContainsFunc(t, unicode.IsLetter) {
		out = append(out, t)
	}
	return out
}

// alarmFeatures are the distinct hashed features of a text: its words and
// word pairs, and the sequences of 3 to 5 letters of its words (which
// carry typos, inflections and other languages), after folding case,
// accents and apostrophes; the words a negation reaches are features of
// their own (see negatedWords).
func alarmFeatures(text string) []uint32 { return distinct(rawFeatures(text)) }

// rawFeatures are the hashed features of a text, with repeats.
func rawFeatures(text string) []uint32 {
	words := negatedWords(text)
	padded := " " + strings.Join(words, " ") + " "
	n := 2 * len(words)
	for k := 3; k <= 5; k++ {
		n += max(0, len(padded)-k+1)
	}
	out := make([]uint32, 0, n)
	for i, w := range words {
		out = append(out, fnv(fnv(fnvBasis, "w"), w)%alarmBuckets)
		if i > 0 {
			// FNV reads its input once, in order: the pair "a b" in pieces
			out = append(out, fnv(fnv(fnv(fnv(fnvBasis, "b"), words[i-1]), " "), w)%alarmBuckets)
		}
	}
	for k := 3; k <= 5; k++ {
		for i := 0; i+k <= len(padded); i++ {
			out = append(out, fnv(fnv(fnvBasis, "c"), padded[i:i+k])%alarmBuckets)
		}
	}
	return out
}

// distinct sorts features and removes repeats. A long message has tens of
// thousands: a bitmap of the buckets sorts them in one pass.
func distinct(fs []uint32) []uint32 {
	if len(fs) < alarmBuckets/64 {
		slices.Sort(fs)
		return slices.Compact(fs)
	}
	var seen [alarmBuckets / 64]uint64
	for _, f := range fs {
		seen[f/64] |= 1 << (f % 64)
	}
	out := fs[:0]
	for w, word := range seen {
		for word != 0 {
			out = append(out, uint32(w)*64+uint32(bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return out
}

// fnv continues a 32-bit FNV-1a hash h over s.
func fnv(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

const fnvBasis uint32 = 2166136261

// foldedWords lower-cases text, strips accents and apostrophes, and splits
// it into words of letters and digits.
func foldedWords(text string) []string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToLower(text)) {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// negationScope is how many words after a negation it reaches, within its
// clause.
const negationScope = 3

// negations are the words that deny what follows them ("not suicidal",
// "no face droop"), in the eight languages; "can't" is no denial ("I can't
// breathe").
var negations = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`no not never dont doesnt didnt isnt wasnt arent werent wouldnt wont havent hasnt hadnt
		without nor neither none zero nothing nobody ni nunca jamais ne pas nicht kein keine keinen keiner nie niemals nao nem non
		mai senza sin sans sem bez niet geen nooit`) {
		negations[w] = true
	}
}

// negatedWords are the folded words of text, those a negation reaches in
// upper case: "not suicidal" shares no feature with "suicidal", so a denial
// is not read as what it denies.
func negatedWords(text string) []string {
	var words []string
	var b strings.Builder
	reach := 0
	flush := func() {
		if b.Len() == 0 {
			return
		}
		w := b.String()
		b.Reset()
		switch {
		case negations[w]:
			reach = negationScope
		case reach > 0:
			reach--
			w = strings.ToUpper(w)
		}
		words = append(words, w)
	}
	for _, r := range norm.NFKD.String(strings.ToLower(text)) {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case unicode.IsSpace(r):
			flush()
		default:
			flush()
			reach = 0 // a clause ends at punctuation
		}
	}
	flush()
	return words
}
