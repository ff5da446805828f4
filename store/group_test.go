package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestGroupKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"How long does recovery take?", "long recoveri take"},
		{"how long is the RECOVERY", "long recoveri"},
		{"Is shockwave covered by my insurance?!", "cover insur shockwav"},
		{"insurance cover for shock-wave", "cover insur shock wave"},
		{"what’s the doctor's view", "doctor view"},
		{"[number] sessions after [link] [email] [phone] [mention] [id]", "session"},
		{"the the the", ""},
		{"", ""},
	} {
		if got := groupKey(c.in); got != c.want {
			t.Errorf("groupKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestJaccard(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"a", "", 0},
		{"a b", "a b", 1},
		{"a b", "a b c", 2.0 / 3},
		{"a b c", "b c d", 2.0 / 4},
		{"a", "b", 0},
	} {
		if got := jaccard(strings.Fields(c.a), strings.Fields(c.b)); got != c.want {
			t.Errorf("jaccard(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestCluster: near-duplicates merge, different questions sharing a word do
// not, a group does not drift along a chain of small steps, and every row
// lands in exactly one group.
func TestCluster(t *testing.T) {
	texts := []string{
		"how much does shockwave cost", "how much does shockwave cost", "shockwave cost?",
		"what does shockwave cost in the UK", // {cost, shockwav, uk}: 2/3 of the lead's words
		"how long does recovery take", "recovery take how long",
		"does shockwave hurt", // shares only 'shockwav' with the cost group
		// a chain: each step is similar to the last, the ends are not
		"alpha beta gamma delta", "alpha beta gamma delta", "beta gamma delta epsilon", "gamma delta epsilon zeta",
	}
	var rows []row
	for i, tx := range texts {
		rows = append(rows, row{id: int64(i + 1), kind: NoMatch, text: tx, key: groupKey(tx), at: int64(i)})
	}
	var got []string
	seen := map[int64]int{}
	for _, g := range cluster(rows) {
		got = append(got, fmt.Sprintf("%s×%d", g.Key, g.Count))
		for _, id := range g.IDs {
			seen[id]++
		}
	}
	want := []string{
		"cost shockwav×4",
		"alpha beta delta gamma×3",
		"long recoveri take×2",
		"delta epsilon gamma zeta×1",
		"hurt shockwav×1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("cluster:\n got %q\nwant %q", got, want)
	}
	for i := range texts {
		if seen[int64(i+1)] != 1 {
			t.Errorf("row %d is in %d groups, want 1", i+1, seen[int64(i+1)])
		}
	}
}
