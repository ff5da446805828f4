package index

import (
	"testing"

	"github.com/avnbot/avnbot/knowledge"
)

func testIndex(t testing.TB) *Index {
	t.Helper()
	entries := []knowledge.Entry{
		{ID: "what-is-avn", Question: "What is avascular necrosis?", Alternates: []string{"what does osteonecrosis mean"}, Answer: "Bone tissue dies when its blood supply is weakened."},
		{ID: "session-length", Question: "How long does a shockwave session take?", Alternates: []string{"how many minutes is a session"}, Answer: "Each session lasts 20 to 30 minutes."},
		{ID: "session-count", Question: "How many shockwave sessions will I need?", Answer: "A few sessions; the number varies by patient."},
		{ID: "walk-after", Question: "Can I walk after treatment?", Answer: "Most resume regular activities right away."},
		{ID: "walk-before", Question: "Should I walk before treatment?", Answer: "Not covered."},
	}
	syn := []knowledge.Synonyms{{"avascular necrosis", "avn", "osteonecrosis", "bone death"}, {"shockwave", "shock wave", "eswt"}}
	ix, err := Build(entries, syn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestSearch(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		q, want string
	}{
		{"what is bone death", "what-is-avn"},
		{"AVN?", "what-is-avn"},
		{"how long is an ESWT session", "session-length"},
		{"how many shock wave sessions", "session-count"},
		{"walk after treatment", "walk-after"},
		{"walk before treatment", "walk-before"},
	}
	for _, tt := range tests {
		res, err := ix.Search(tt.q, Options{Explain: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != tt.want {
			t.Errorf("Search(%q) = %+v, want %s first", tt.q, res.Hits, tt.want)
		}
	}
}

func TestCorrect(t *testing.T) {
	ix := testIndex(t)
	tests := []struct{ in, want string }{
		{"osteonecrossis", "osteonecrosis"},
		{"avascular necorsis", "avascular necrosis"},
		{"shokwave sesions", "shockwave sessions"},
		{"medicare", "medicare"},
		{"AVN", "avn"},
	}
	for _, tt := range tests {
		if got, _ := ix.Correct(tt.in); got != tt.want {
			t.Errorf("Correct(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLightUnits(t *testing.T) {
	ix := testIndex(t)
	light := map[string]bool{}
	for _, u := range ix.Units("I look after two kids, how many minutes is a session") {
		light[u.Term] = u.Light
	}
	for _, w := range []string{"look", "two", "kid"} {
		if !light[w] {
			t.Errorf("%q is not a light unit: %v", w, light)
		}
	}
	for _, w := range []string{"minut", "session"} {
		if light[w] {
			t.Errorf("%q is a light unit, want a topic unit", w)
		}
	}
	if got, _ := ix.Correct("waiting"); got != "waiting" {
		t.Errorf("Correct(waiting) = %q: a light word must never be the correction", got)
	}
}
