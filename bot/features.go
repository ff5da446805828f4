package bot

import (
	"math"

	"github.com/avnbot/avnbot/index"
)

// Features are generic: nothing in them names a word or an entry, so the
// models that read them train on any FAQ.

// Match describes how well one candidate entry matches the question: what
// the ranker reads.
type Match struct {
	// Cover is the share of the question's weight the entry holds anywhere
	// (a unit's weight: its rarity among the entries times its specificity
	// in English).
	Cover float64
	// CoverPhrasing is the same for the entry's best phrasing alone.
	CoverPhrasing float64
	// Reverse is the share of the best phrasing that the question holds.
	Reverse float64
	// Score is the search's BM25 score as a share of the most the question's
	// units could score.
	Score float64
	// Missing is the weight of the question's units the entry lacks, on a
	// log scale: a question about "medicare" that the entry never mentions.
	Missing float64
}

func (m Match) vector() []float64 {
	return []float64{m.Cover, m.CoverPhrasing, m.Reverse, m.Score, m.Missing}
}

var matchNames = []string{"cover", "cover_phrasing", "reverse", "score", "missing"}

// matchSigns keep the ranker monotone: an entry that holds more of the
// question, or scores higher, never ranks lower for it; one that lacks more
// never ranks higher. (Left free, correlated features can take weights of
// either sign, and an entry better on every count can rank second.)
var matchSigns = []int{+1, +1, +1, +1, -1}

// Features describe the top candidate after ranking: what the decision
// reads.
type Features struct {
	Match
	// Relevance is the ranker's probability that the candidate is the
	// question's entry, were the question answerable.
	Relevance float64
	// Lead is how far the candidate leads the next one in the ranker's
	// log-odds (negative for a candidate that is not first).
	Lead float64
	// Unknown is the share of the question's weight no entry holds at all.
	Unknown float64
	// Length is the number of units in the question, on a log scale.
	Length float64
}

func (f Features) vector() []float64 {
	return append(f.Match.vector(), f.Relevance, f.Lead, f.Unknown, f.Length)
}

var featureNames = append(append([]string{}, matchNames...), "relevance", "lead", "unknown", "length")

// searched is a search result reduced to features: one Match per hit, and
// what holds for the question whatever the candidate.
type searched struct {
	matches []Match
	unknown float64
	length  float64
}

// describe reduces a search result to features.
func describe(res index.Result) searched {
	s := searched{matches: make([]Match, len(res.Hits)), length: math.Log1p(float64(len(res.Units)))}
	var all, maxScore float64
	for _, u := range res.Units {
		all += u.Weight()
		maxScore += u.IDF * (1 + 1.2) // BM25's ceiling for one unit, k1 = 1.2
		if !u.Known {
			s.unknown += u.Weight()
		}
	}
	if all > 0 {
		s.unknown /= all
	}
	for i, h := range res.Hits {
		var inEntry, inPhr float64
		for j, u := range res.Units {
			if h.InEntry[j] {
				inEntry += u.Weight()
			}
			if h.InPhrasing[j] {
				inPhr += u.Weight()
			}
		}
		m := Match{Reverse: h.Reverse, Missing: math.Log1p(all - inEntry)}
		if all > 0 {
			m.Cover, m.CoverPhrasing = inEntry/all, inPhr/all
		}
		if maxScore > 0 {
			m.Score = h.Score / maxScore
		}
		s.matches[i] = m
	}
	return s
}
