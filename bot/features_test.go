package bot

import (
	"math"
	"testing"

	"github.com/avnbot/avnbot/index"
)

func TestDescribe(t *testing.T) {
	// a question of three units: one the first hit holds in its best
	// phrasing, one it holds in its body only, one no entry holds
	res := index.Result{
		Units: []index.Unit{
			{Term: "session", IDF: 2, Specificity: 1, Known: true},
			{Term: "long", IDF: 1, Specificity: 0.5, Known: true},
			{Term: "medicare", IDF: 3, Specificity: 0.5, Known: false},
		},
		Hits: []index.Hit{
			{ID: "a", Score: 4, InEntry: []bool{true, true, false}, InPhrasing: []bool{true, false, false}, Reverse: 0.5},
			{ID: "b", Score: 1, InEntry: []bool{false, true, false}, InPhrasing: []bool{false, true, false}},
		},
	}
	s := describe(res)
	// weights: session 2 (known: its IDF), long 1, medicare 3×0.5 = 1.5; all 4.5
	tests := []struct {
		name      string
		got, want float64
	}{
		{"a cover", s.matches[0].Cover, 3 / 4.5},
		{"a cover phrasing", s.matches[0].CoverPhrasing, 2 / 4.5},
		{"a missing", s.matches[0].Missing, math.Log1p(1.5)},
		{"a reverse", s.matches[0].Reverse, 0.5},
		{"a score", s.matches[0].Score, 4 / (2.2 * 6)},
		{"b cover", s.matches[1].Cover, 1 / 4.5},
		{"unknown", s.unknown, 1.5 / 4.5},
		{"length", s.length, math.Log1p(3)},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-9 {
			t.Errorf("%s = %.4f, want %.4f", tt.name, tt.got, tt.want)
		}
	}
}

func TestFeaturesLead(t *testing.T) {
	m := &Model{} // no ranker: BM25 weighed by cover
	s := searched{matches: []Match{{Score: 0.5, Cover: 1}, {Score: 0.3, Cover: 1}, {Score: 0.1, Cover: 1}}}
	order, z := m.rank(s.matches)
	if order[0] != 0 || order[1] != 1 || order[2] != 2 {
		t.Fatalf("order %v, want the search's", order)
	}
	if f := m.features(s, order, z, 0); f.Lead <= 0 {
		t.Errorf("the first leads by %.2f, want > 0", f.Lead)
	}
	if f := m.features(s, order, z, 1); f.Lead >= 0 {
		t.Errorf("the second leads by %.2f, want < 0", f.Lead)
	}
	one := searched{matches: []Match{{Score: 0.5, Cover: 1}}}
	order, z = m.rank(one.matches)
	if f := m.features(one, order, z, 0); f.Lead != 10 {
		t.Errorf("a lone candidate leads by %.2f, want the cap 10", f.Lead)
	}
}

// Without a ranker, BM25 ranks, weighed by how much of the question each
// entry holds: a phrasing that matches one word well loses to one that
// matches a little less in an entry holding all of the question.
func TestFallbackRankWeighsCover(t *testing.T) {
	m := &Model{}
	order, _ := m.rank([]Match{{Score: 0.5, Cover: 0.2}, {Score: 0.4, Cover: 1}})
	if order[0] != 1 {
		t.Errorf("order %v, want the entry holding the whole question first", order)
	}
}
