package bot

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitLogit recovers known weights from examples drawn from a logistic
// model, and its probabilities match the model's.
func TestFitLogit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	truth := func(x []float64) float64 { return sigmoid(2*x[0] - 1*x[1] + 0.5) }
	var xs [][]float64
	var ys []bool
	for range 4000 {
		x := []float64{r.NormFloat64(), r.NormFloat64()}
		xs = append(xs, x)
		ys = append(ys, r.Float64() < truth(x))
	}
	l := fitLogit([]string{"a", "b"}, xs, ys, false)
	for _, x := range [][]float64{{0, 0}, {1, 0}, {0, 1}, {-1, 2}} {
		got, want := sigmoid(l.logodds(x)), truth(x)
		if math.Abs(got-want) > 0.05 {
			t.Errorf("p(%v) = %.3f, want %.3f", x, got, want)
		}
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
	l := fitLogit([]string{"noise"}, xs, ys, true)
	if p := sigmoid(l.logodds([]float64{3})); math.Abs(p-0.5) > 0.05 {
		t.Errorf("balanced p = %.3f, want about 0.5", p)
	}
	l = fitLogit([]string{"noise"}, xs, ys, false)
	if p := sigmoid(l.logodds([]float64{3})); math.Abs(p-0.1) > 0.05 {
		t.Errorf("unbalanced p = %.3f, want about 0.1", p)
	}
}

// TestFitLogitSeparable: perfectly separable examples keep finite weights.
func TestFitLogitSeparable(t *testing.T) {
	xs := [][]float64{{-2}, {-1}, {1}, {2}}
	ys := []bool{false, false, true, true}
	l := fitLogit([]string{"x"}, xs, ys, false)
	for _, w := range l.W {
		if math.IsNaN(w) || math.IsInf(w, 0) || math.Abs(w) > 50 {
			t.Fatalf("weights %v", l.W)
		}
	}
	if sigmoid(l.logodds([]float64{2})) < 0.7 || sigmoid(l.logodds([]float64{-2})) > 0.3 {
		t.Errorf("p(2) = %.2f, p(-2) = %.2f", sigmoid(l.logodds([]float64{2})), sigmoid(l.logodds([]float64{-2})))
	}
}
