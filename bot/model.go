package bot

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The models. Two logistic regressions over generic features, trained on
// labels the knowledge yields by itself (train.go), so they retrain
// whenever the knowledge changes:
//   - the ranker orders the search's candidates by how likely each is the
//     question's entry, from how it matches (Match);
//   - the decision gives the probability that the top candidate answers
//     the question (Features), and the assistant answers only when it
//     reaches the target precision.

// DefaultTarget is the target when the knowledge sets none (settings.yaml):
// answer only when at least this likely to be right.
const DefaultTarget = 0.5

// Model is the trained ranker and decision.
type Model struct {
	// ranker is nil when the knowledge has too few alternate phrasings to
	// learn from: the search's own order stands.
	ranker, decider *logit
	// Target is the least probability at which the assistant answers.
	Target float64
	// folds is how the models did on questions they were not trained on,
	// computed when first asked: see Folds.
	folds func() Calibration
}

// Folds is how the models did on questions they were not trained on. It
// trains them five times more, so it is computed once, when first asked
// (avnbot calibrate, /faq-admin preview), rather than at every start.
func (m *Model) Folds() Calibration {
	if m.folds == nil {
		return Calibration{}
	}
	return m.folds()
}

// rank orders candidates: it returns their order, best first, and each
// one's ranker log-odds. Ties go to the better search score (the matches
// come in search order, which breaks its own ties by entry id).
func (m *Model) rank(ms []Match) ([]int, []float64) {
	z := make([]float64, len(ms))
	order := make([]int, len(ms))
	for i, x := range ms {
		order[i] = i
		if m.ranker != nil {
			z[i] = m.ranker.logodds(x.vector())
		} else {
			z[i] = 10 * x.Score * math.Sqrt(x.Cover) // BM25, weighed by how much of the question the entry holds
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(z[b], z[a]) })
	return order, z
}

// features of candidate i among the search's candidates, ranked.
func (m *Model) features(s searched, order []int, z []float64, i int) Features {
	f := Features{Match: s.matches[i], Relevance: sigmoid(z[i]), Unknown: s.unknown, Length: s.length, Lead: 10}
	for _, j := range order {
		if j != i {
			f.Lead = z[i] - z[j]
			break
		}
	}
	f.Lead = max(-10, min(10, f.Lead))
	return f
}

// Prob is the probability that a candidate with these features answers the
// question.
func (m *Model) Prob(f Features) float64 { return sigmoid(m.decider.logodds(f.vector())) }

// Why lists what most moved the decision for f, strongest first: each
// feature's value and its pull in log-odds (positive: towards answering).
func (m *Model) Why(f Features) string { return m.decider.why(f.vector()) }

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// logit is a logistic regression on standardised features.
type logit struct {
	Names       []string
	Mean, Scale []float64
	W           []float64 // one weight per feature, then the bias
}

func (l *logit) logodds(x []float64) float64 {
	z := l.W[len(x)]
	for i, v := range x {
		z += l.W[i] * (v - l.Mean[i]) / l.Scale[i]
	}
	return z
}

func (l *logit) why(x []float64) string {
	type pull struct {
		name     string
		value, z float64
	}
	ps := make([]pull, len(x))
	for i, v := range x {
		ps[i] = pull{l.Names[i], v, l.W[i] * (v - l.Mean[i]) / l.Scale[i]}
	}
	slices.SortStableFunc(ps, func(a, b pull) int { return cmp.Compare(math.Abs(b.z), math.Abs(a.z)) })
	var parts []string
	for _, p := range ps[:min(4, len(ps))] {
		parts = append(parts, fmt.Sprintf("%s %.2f (%+.1f)", p.name, p.value, p.z))
	}
	return strings.Join(parts, ", ")
}

// l2 is the ridge penalty on the standardised weights: enough to keep the
// weights finite when the examples separate perfectly.
const l2 = 1.0

// fitLogit trains a logistic regression by Newton's method. With balance,
// the two classes weigh the same in all, so the probability assumes an even
// prior: half the questions asked have an answer in the FAQ. (The held-out
// examples hold far more negatives, which would make every probability shy.)
// signs, when given, holds each weight's sign: +1 for a feature that may
// only raise the probability, -1 for one that may only lower it, 0 for
// either. A weight the examples would push the other way stays 0 (Newton's
// method on the weights left free, an active set).
func fitLogit(names []string, xs [][]float64, ys []bool, balance bool, signs []int) *logit {
	d := len(names)
	l := &logit{Names: names, Mean: make([]float64, d), Scale: make([]float64, d), W: make([]float64, d+1)}
	n := float64(len(xs))
	if n == 0 {
		return l
	}
	var pos float64
	for _, y := range ys {
		if y {
			pos++
		}
	}
	weight := func(y bool) float64 {
		if !balance {
			return 1
		}
		return classWeight(y, n, pos)
	}
	for _, x := range xs {
		for i, v := range x {
			l.Mean[i] += v / n
		}
	}
	for _, x := range xs {
		for i, v := range x {
			l.Scale[i] += (v - l.Mean[i]) * (v - l.Mean[i]) / n
		}
	}
	for i := range l.Scale {
		l.Scale[i] = math.Sqrt(l.Scale[i])
		if l.Scale[i] < 1e-9 {
			l.Scale[i] = 1
		}
	}
	zs := make([][]float64, len(xs))
	for k, x := range xs {
		z := make([]float64, d+1)
		for i, v := range x {
			z[i] = (v - l.Mean[i]) / l.Scale[i]
		}
		z[d] = 1
		zs[k] = z
	}
	grad := make([]float64, d+1)
	hess := make([][]float64, d+1)
	for i := range hess {
		hess[i] = make([]float64, d+1)
	}
	sign := func(i int) int {
		if i < len(signs) {
			return signs[i]
		}
		return 0
	}
	pinned := make([]bool, d+1) // held at 0 by its sign
	for range 100 {
		clear(grad)
		for i := range hess {
			clear(hess[i])
		}
		for k, x := range zs {
			z := 0.0
			for i, v := range x {
				z += l.W[i] * v
			}
			p := sigmoid(z)
			y := 0.0
			if ys[k] {
				y = 1
			}
			c := weight(ys[k])
			for i, v := range x {
				grad[i] += c * (p - y) * v
				for j := i; j < len(x); j++ {
					hess[i][j] += c * p * (1 - p) * v * x[j]
				}
			}
		}
		for i := range hess {
			for j := range i {
				hess[i][j] = hess[j][i]
			}
		}
		for i := range d { // the bias is not penalised
			grad[i] += l2 * l.W[i]
			hess[i][i] += l2
		}
		hess[d][d] += 1e-9
		// a pinned weight is freed when the loss falls moving it its own way
		freed := false
		for i := range d {
			if pinned[i] && float64(sign(i))*-grad[i] > 1e-9 {
				pinned[i], freed = false, true
			}
		}
		for i := range d {
			if pinned[i] {
				for j := range hess {
					hess[i][j], hess[j][i] = 0, 0
				}
				hess[i][i], grad[i] = 1, 0
			}
		}
		step := solve(hess, grad)
		var size float64
		for i := range l.W {
			l.W[i] -= step[i]
			if s := sign(i); i < d && s != 0 && float64(s)*l.W[i] < 0 {
				l.W[i], pinned[i] = 0, true
			}
			size = max(size, math.Abs(step[i]))
		}
		if size < 1e-8 && !freed {
			break
		}
	}
	return l
}

// classWeight is the weight of an example of class y among n with pos
// positives, such that both classes weigh n/2 in all.
func classWeight(y bool, n, pos float64) float64 {
	if y {
		return n / (2 * max(pos, 1))
	}
	return n / (2 * max(n-pos, 1))
}

// solve returns x with a·x = v, by Gaussian elimination with partial
// pivoting (a is small and positive definite).
func solve(a [][]float64, v []float64) []float64 {
	n := len(v)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(slices.Clone(a[i]), v[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		if math.Abs(m[c][c]) < 1e-12 {
			continue
		}
		for r := range n {
			if r == c {
				continue
			}
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for i := range n {
		if math.Abs(m[i][i]) >= 1e-12 {
			x[i] = m[i][n] / m[i][i]
		}
	}
	return x
}

// Calibration is how the probabilities compared with what happened, on
// questions held out of training.
type Calibration struct {
	Bins     []Bin
	Examples int
	// Ranked is how many held-out answerable questions had their entry
	// ranked first, of Positives.
	Ranked, Positives int
	// Answered, Right: how many held-out questions the target would answer,
	// and how many of those rightly.
	Answered, Right int
	// Precision is Right over Answered with the questions weighed for an
	// even prior, as the probabilities are.
	Precision float64
}

// Bin is one row of a reliability table.
type Bin struct {
	Lo, Hi    float64 // the predicted probabilities it holds
	N         int     // questions in it
	Predicted float64 // their mean predicted probability
	Observed  float64 // the share of them answered rightly (for an even prior)
}

// String prints the reliability table.
func (c Calibration) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "reliability on held-out folds (%d questions, %d answerable; weighed for an even prior):\n", c.Examples, c.Positives)
	fmt.Fprintf(&b, "  %-9s %6s %9s %8s\n", "predicted", "n", "mean", "observed")
	for _, bin := range c.Bins {
		if bin.N == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %.1f-%.1f   %6d %9.2f %8.2f\n", bin.Lo, bin.Hi, bin.N, bin.Predicted, bin.Observed)
	}
	fmt.Fprintf(&b, "  ranked first: %d of %d answerable (%.2f)\n", c.Ranked, c.Positives, float64(c.Ranked)/float64(max(c.Positives, 1)))
	if c.Answered > 0 {
		fmt.Fprintf(&b, "  at the target: answered %d, rightly %d (precision %.2f for an even prior; recall %.2f)\n",
			c.Answered, c.Right, c.Precision, float64(c.Right)/float64(max(c.Positives, 1)))
	}
	return b.String()
}
