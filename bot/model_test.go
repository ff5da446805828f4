package bot

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitLogit recovers known weights from examples drawn from a logistic
// model, and its probabilities match the model's.
func TestFitLogit(t *testing.T) {
	truth := func(x []float64) float64 { return sigmoid(2*x[0] - 1*x[1] + 0.5) }
	xs, ys := draw(rand.New(rand.NewPCG(1, 2)), truth)
	l := fitLogit([]string{"a", "b"}, xs, ys, false, nil)
	for _, x := range [][]float64{{0, 0}, {1, 0}, {0, 1}, {-1, 2}} {
		got, want := sigmoid(l.logodds(x)), truth(x)
		if math.Abs(got-want) > 0.05 {
			t.Errorf("p(%v) = %.3f, want %.3f", x, got, want)
		}
	}
}

// draw returns 4,000 examples of two normal features, labelled true with
// the probability truth gives.
func draw(r *rand.Rand, truth func([]float64) float64) ([][]float64, []bool) {
	var xs [][]float64
	var ys []bool
	for range 4000 {
		x := []float64{r.NormFloat64(), r.NormFloat64()}
		xs = append(xs, x)
		ys = append(ys, r.Float64() < truth(x))
	}
	return xs, ys
}

// TestFitLogitSigns: a weight held to a sign the examples contradict stays
// at 0, and the others are fitted as before.
func TestFitLogitSigns(t *testing.T) {
	xs, ys := draw(rand.New(rand.NewPCG(3, 4)), func(x []float64) float64 { return sigmoid(2*x[0] - 1*x[1]) })
	l := fitLogit([]string{"a", "b"}, xs, ys, false, []int{+1, +1})
	if l.W[1] != 0 || l.W[0] < 1.5 {
		t.Errorf("weights %v, want a near 2 and b held at 0", l.W)
	}
	l = fitLogit([]string{"a", "b"}, xs, ys, false, []int{+1, -1})
	if l.W[0] < 1.5 || l.W[1] > -0.5 {
		t.Errorf("weights %v, want the signs the examples show", l.W)
	}
}

// TestFitLogitBalanced: with balance, a rare class weighs as much as the
// common one, so an uninformative feature gives probability one half.
func TestFitLogitBalanced(t *testing.T) {
	var xs [][]float64
	var ys []bool
	for i := range 1000 {
		xs = append(xs, []float64{float64(i % 7)})
		ys = append(ys, i%10 == 0)
	}
	l := fitLogit([]string{"noise"}, xs, ys, true, nil)
	if p := sigmoid(l.logodds([]float64{3})); math.Abs(p-0.5) > 0.05 {
		t.Errorf("balanced p = %.3f, want about 0.5", p)
	}
	l = fitLogit([]string{"noise"}, xs, ys, false, nil)
	if p := sigmoid(l.logodds([]float64{3})); math.Abs(p-0.1) > 0.05 {
		t.Errorf("unbalanced p = %.3f, want about 0.1", p)
	}
}

// TestFitLogitSeparable: perfectly separable examples keep finite weights.
func TestFitLogitSeparable(t *testing.T) {
	xs := [][]float64{{-2}, {-1}, {1}, {2}}
	ys := []bool{false, false, true, true}
	l := fitLogit([]string{"x"}, xs, ys, false, nil)
	for _, w := range l.W {
		if math.IsNaN(w) || math.IsInf(w, 0) || math.Abs(w) > 50 {
			t.Fatalf("weights %v", l.W)
		}
	}
	if sigmoid(l.logodds([]float64{2})) < 0.7 || sigmoid(l.logodds([]float64{-2})) > 0.3 {
		t.Errorf("p(2) = %.2f, p(-2) = %.2f", sigmoid(l.logodds([]float64{2})), sigmoid(l.logodds([]float64{-2})))
	}
}
