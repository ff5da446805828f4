package bot

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/avnbot/avnbot/index"
	"github.com/avnbot/avnbot/knowledge"
)

// Training. The knowledge labels its own examples:
//   - hold out one phrasing of an entry: asked as a question, it should find
//     its own entry through the entry's other phrasings and its answer;
//   - hold out a whole entry: its phrasings are questions in the FAQ's own
//     domain that nothing else answers, so whatever comes top is wrong;
//   - negatives.txt: everyday and other-health questions the team wrote,
//     which no entry of any FAQ about one condition answers.
// The examples of one entry share a fold, so the held-out folds test on
// entries the models never saw.

//go:embed negatives.txt
var negativesTxt string

// negatives are the team's questions that no entry answers.
func negatives() []string {
	var out []string
	for _, l := range strings.Split(negativesTxt, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// maxHeldOut caps each kind of held-out example on a large knowledge: a
// fixed stride through the phrasings keeps training to about a second: a
// model of a few features needs no more.
const maxHeldOut = 600

// folds is the number of folds for cross-validation.
const folds = 5

// trainTop is how many candidates of each held-out search the ranker learns
// from.
const trainTop = 8

// heldOut is one held-out search: its candidates' features, which of them
// are right, and its fold.
type heldOut struct {
	s       searched
	right   []bool
	fold    int
	heldOut bool // a phrasing held out, its entry still there
}

// answerable reports whether some candidate is right.
func (h heldOut) answerable() bool { return slices.Contains(h.right, true) }

// isRight reports whether candidate i is right.
func (h heldOut) isRight(i int) bool { return i >= 0 && i < len(h.right) && h.right[i] }

// sameAnswer reports whether two entries answer from the same passage:
// their first (main) quotes are the same. Holding one out, the other still
// answers its questions rightly.
func sameAnswer(entries []knowledge.Entry) func(a, b string) bool {
	main := map[string]string{}
	for _, e := range entries {
		main[e.ID] = "id:" + e.ID
		if len(e.Citations) > 0 {
			main[e.ID] = e.Citations[0].Source + "\x00" + knowledge.Normalize(e.Citations[0].Quote)
		}
	}
	return func(a, b string) bool { return main[a] == main[b] }
}

// heldOutSearches runs the held-out searches.
func heldOutSearches(ix *index.Index, entries []knowledge.Entry) ([]heldOut, error) {
	type held struct {
		entry, phrasing int
	}
	var all []held
	for i, e := range entries {
		for p := range e.Phrasings() {
			all = append(all, held{i, p})
		}
	}
	stride := max(1, (len(all)+maxHeldOut-1)/maxHeldOut)
	same := sameAnswer(entries)
	var out []heldOut
	search := func(q string, exclude func(string, int) bool, want string, fold int, phrasing bool) error {
		res, err := ix.Search(q, index.Options{Top: trainTop, Exclude: exclude})
		if err != nil {
			return err
		}
		if len(res.Hits) == 0 {
			return nil
		}
		h := heldOut{s: describe(res), right: make([]bool, len(res.Hits)), fold: fold, heldOut: phrasing}
		for i, hit := range res.Hits {
			h.right[i] = want != "" && same(hit.ID, want)
		}
		out = append(out, h)
		return nil
	}
	for k := 0; k < len(all); k += stride {
		h := all[k]
		e := entries[h.entry]
		q := clean(e.Phrasings()[h.phrasing])
		if len(e.Alternates) > 0 {
			// one phrasing held out: its entry is the answer
			if err := search(q, func(id string, p int) bool { return id == e.ID && p == h.phrasing }, e.ID, h.entry%folds, true); err != nil {
				return nil, err
			}
		} else {
			// an entry with a single phrasing has no other to find it by:
			// the nearest thing to a paraphrase is the phrasing with some of
			// its words left out, as people ask in fewer words
			q = shorten(q)
			if err := search(q, nil, e.ID, h.entry%folds, false); err != nil {
				return nil, err
			}
		}
		// the whole entry held out: nothing answers, unless another entry
		// answers from the same passage
		if err := search(q, func(id string, _ int) bool { return id == e.ID }, e.ID, h.entry%folds, false); err != nil {
			return nil, err
		}
	}
	for i, q := range negatives() {
		if err := search(clean(q), nil, "", i%folds, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// shorten leaves out every third word of q, starting with the second, and
// keeps at least two.
func shorten(q string) string {
	ws := strings.Fields(q)
	if len(ws) <= 2 {
		return q
	}
	var out []string
	for i, w := range ws {
		if i%3 != 1 {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// minRankerQuestions is how many held-out phrasings the ranker needs to
// learn from; with fewer (an FAQ without alternates), the search's order
// stands.
const minRankerQuestions = 50

// fitRanker trains the ranker on the held-out phrasings: which candidate
// is the phrasing's entry. It returns nil with too few to learn from.
func fitRanker(hs []heldOut) *logit {
	var xs [][]float64
	var ys []bool
	var n int
	for _, h := range hs {
		if !h.answerable() || !h.heldOut {
			continue
		}
		n++
		for i, m := range h.s.matches {
			xs = append(xs, m.vector())
			ys = append(ys, h.isRight(i))
		}
	}
	if n < minRankerQuestions {
		return nil
	}
	return fitLogit(matchNames, xs, ys, false, matchSigns)
}

// without returns the searches not in fold k.
func without(hs []heldOut, k int) []heldOut {
	var out []heldOut
	for _, h := range hs {
		if h.fold != k {
			out = append(out, h)
		}
	}
	return out
}

// fitModel trains the ranker, then the decision on every search's top
// candidate after ranking. The decision learns from rankings made by
// rankers that did not see the search's fold, as rankings of new questions
// are: a ranker is surer of the questions it learnt from.
func fitModel(hs []heldOut, target float64) *Model {
	var xs [][]float64
	var ys []bool
	for k := range folds {
		m := &Model{ranker: fitRanker(without(hs, k))}
		for _, h := range hs {
			if h.fold != k {
				continue
			}
			order, z := m.rank(h.s.matches)
			xs = append(xs, m.features(h.s, order, z, order[0]).vector())
			ys = append(ys, h.isRight(order[0]))
		}
	}
	return &Model{Target: target, ranker: fitRanker(hs), decider: fitLogit(featureNames, xs, ys, true, nil)}
}

// crossValidate trains on all folds but one and predicts that one, for
// every fold, and tabulates the predictions. The decision assumes an even
// prior, so the table weighs the held-out questions as training did: those
// answered rightly, together, as much as the others.
func crossValidate(hs []heldOut, target float64) Calibration {
	c := Calibration{Examples: len(hs), Bins: make([]Bin, 10)}
	for i := range c.Bins {
		c.Bins[i].Lo, c.Bins[i].Hi = float64(i)/10, float64(i+1)/10
	}
	type prediction struct {
		p      float64
		ok, in bool // answered rightly; answerable
	}
	var preds []prediction
	for k := range folds {
		m := fitModel(without(hs, k), target)
		for _, h := range hs {
			if h.fold != k {
				continue
			}
			order, z := m.rank(h.s.matches)
			preds = append(preds, prediction{m.Prob(m.features(h.s, order, z, order[0])), h.isRight(order[0]), h.answerable()})
		}
	}
	var pos float64
	for _, p := range preds {
		if p.ok {
			pos++
		}
	}
	n := float64(len(preds))
	mass := make([]float64, len(c.Bins))
	var answered, right float64
	for _, p := range preds {
		w := classWeight(p.ok, n, pos)
		i := min(9, int(p.p*10))
		c.Bins[i].N++
		mass[i] += w
		c.Bins[i].Predicted += w * p.p
		if p.ok {
			c.Bins[i].Observed += w
		}
		if p.in {
			c.Positives++
			if p.ok {
				c.Ranked++
			}
		}
		if p.p >= target {
			c.Answered++
			answered += w
			if p.ok {
				c.Right++
				right += w
			}
		}
	}
	for i := range c.Bins {
		if mass[i] > 0 {
			c.Bins[i].Predicted /= mass[i]
			c.Bins[i].Observed /= mass[i]
		}
	}
	if answered > 0 {
		c.Precision = right / answered
	}
	return c
}

// train fits the models for one index and reports their calibration.
func train(ix *index.Index, entries []knowledge.Entry, target float64) (*Model, error) {
	hs, err := heldOutSearches(ix, entries)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var pos int
	for _, h := range hs {
		if h.answerable() {
			pos++
		}
	}
	if pos == 0 {
		return nil, fmt.Errorf("train: no held-out question found its entry among %d searches; the knowledge needs more entries or phrasings", len(hs))
	}
	m := fitModel(hs, target)
	m.folds = sync.OnceValue(func() Calibration { return crossValidate(hs, target) })
	return m, nil
}
