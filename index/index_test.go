package index

import (
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/avnbot/avnbot/knowledge"
)

// embeddedIndex indexes the embedded knowledge.
func embeddedIndex(t testing.TB) (*knowledge.Base, *Index) {
	t.Helper()
	kb, err := knowledge.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Build(kb.Entries, kb.Synonyms)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return kb, ix
}

func testIndex(t testing.TB) *Index {
	t.Helper()
	entries := []knowledge.Entry{
		{ID: "what-is-avn", Question: "What is avascular necrosis?", Alternates: []string{"what does osteonecrosis mean"}, Answer: "Bone tissue dies when its blood supply is weakened."},
		{ID: "session-length", Question: "How long does a shockwave session take?", Alternates: []string{"how many minutes is a session"}, Answer: "Each session lasts 20 to 30 minutes."},
		{ID: "session-count", Question: "How many shockwave sessions will I need?", Answer: "A few sessions; the number varies by patient."},
		{ID: "walk-after", Question: "Can I walk after treatment?", Answer: "Most resume regular activities right away."},
		{ID: "walk-before", Question: "Should I walk before treatment?", Answer: "Not covered."},
		{ID: "where-from", Question: "Where does the disease come from?", Answer: "Not covered."},
		{ID: "physio", Question: "Does physiotherapy help?", Answer: "Physiotherapy is a conservative treatment."},
	}
	syn := []knowledge.Synonyms{{"avascular necrosis", "avn", "osteonecrosis", "bone death"}, {"shockwave", "shock wave", "eswt"}}
	ix, err := Build(entries, syn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func ids(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func TestSearch(t *testing.T) {
	ix := testIndex(t)
	tests := []struct {
		q, want string
	}{
		{"what is bone death", "what-is-avn"},
		{"AVN?", "what-is-avn"},
		{"necrosis", "what-is-avn"},
		{"how long is an ESWT session", "session-length"},
		{"how many shock wave sessions", "session-count"},
		{"walk after treatment", "walk-after"},
		{"walk before treatment", "walk-before"},
		{"where did it come from", "where-from"},
		{"how many minutes", "session-length"},
		{"fiziotherapy", "physio"}, // spelt as it sounds
	}
	for _, tt := range tests {
		res, err := ix.Search(tt.q, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != tt.want {
			t.Errorf("Search(%q) = %v (searched %q), want %s first", tt.q, ids(res.Hits), res.Searched, tt.want)
		}
	}
}

func TestCorrect(t *testing.T) {
	ix := testIndex(t)
	tests := []struct{ in, want string }{
		// typos of the knowledge's words: dropped, doubled, swapped, wrong letters
		{"osteonecrossis", "osteonecrosis"},
		{"avascular necorsis", "avascular necrosis"},
		{"shokwave sesions", "shockwave sessions"},
		{"sesssion", "session"},
		{"treatmnet", "treatment"},
		{"physiotherpy", "physiotherapy"},
		// a doubled or halved letter is the likeliest slip; on equal cost the
		// knowledge's word wins over other English words
		{"does it realy hurt", "does it really hurt"},
		{"hip bonne", "hip bone"},
		{"shok wave", "shock wave"},
		// a contraction's parts are no typos
		{"it doesn't hurt", "it doesn't hurt"},
		// real English words are never changed, however close
		{"medicare", "medicare"},
		{"spread", "spread"},
		{"sedation", "sedation"},
		{"waiting", "waiting"},
		{"AVN", "avn"},
	}
	for _, tt := range tests {
		if got, _ := ix.Correct(tt.in); got != tt.want {
			t.Errorf("Correct(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnits(t *testing.T) {
	ix := testIndex(t)
	res, err := ix.Search("is the time the same for medicare", Options{})
	if err != nil {
		t.Fatal(err)
	}
	spec := map[string]float64{}
	known := map[string]bool{}
	for _, u := range res.Units {
		spec[u.Text], known[u.Text] = u.Specificity, u.Known
	}
	// common English words say little; rare ones a lot
	if !(spec["time"] < 0.3 && spec["same"] < 0.3 && spec["medicare"] > 3*spec["time"]) {
		t.Errorf("specificity: time %.2f, same %.2f, medicare %.2f", spec["time"], spec["same"], spec["medicare"])
	}
	if known["medicare"] || !known["is"] {
		t.Errorf("known: %v", known)
	}
	res, _ = ix.Search("what do i do there at the time", Options{})
	topical := map[string]bool{}
	for _, u := range res.Units {
		topical[u.Text] = u.Topical()
	}
	want := map[string]bool{"what": false, "do": false, "i": false, "there": false, "at": false, "the": false, "time": true}
	if !maps.Equal(topical, want) {
		t.Errorf("topical units %v, want %v", topical, want)
	}
}

func TestExclude(t *testing.T) {
	ix := testIndex(t)
	q := "how many minutes is a session"
	res, _ := ix.Search(q, Options{})
	if res.Hits[0].ID != "session-length" || res.Hits[0].Best != 1 {
		t.Fatalf("Search(%q): %+v", q, res.Hits[0])
	}
	// without the alternate that is the question, the entry still ranks by
	// its other phrasing and body, and no longer holds "minutes" in a phrasing
	res, _ = ix.Search(q, Options{Exclude: func(id string, p int) bool { return id == "session-length" && p == 1 }})
	for _, h := range res.Hits {
		if h.ID == "session-length" && h.Best == 1 {
			t.Errorf("excluded phrasing used: %+v", h)
		}
	}
	// without the whole entry it is gone
	res, _ = ix.Search(q, Options{Exclude: func(id string, _ int) bool { return id == "session-length" }})
	if slices.Contains(ids(res.Hits), "session-length") {
		t.Errorf("excluded entry found: %v", ids(res.Hits))
	}
}

func TestTiesAreStable(t *testing.T) {
	entries := []knowledge.Entry{
		{ID: "b", Question: "same words here", Answer: "x"},
		{ID: "a", Question: "same words here", Answer: "x"},
		{ID: "c", Question: "same words here", Answer: "x"},
	}
	ix, err := Build(entries, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for range 20 {
		res, _ := ix.Search("same words", Options{})
		if got := ids(res.Hits); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("tie order %v, want by id", got)
		}
	}
}

// TestMatchingIsRanked checks find's shortcut for a knowledge no larger
// than the candidates: bleve's unranked set of the entries holding a topic
// or stop word is the set its two ranked searches find.
func TestMatchingIsRanked(t *testing.T) {
	kb, ix := embeddedIndex(t)
	if ix.Len() > candidates {
		t.Fatalf("%d entries: the embedded knowledge no longer fits in %d candidates", ix.Len(), candidates)
	}
	qs := append([]string{"", "the", "medicare", "how does it spread", "is it safe and how long and what is it and where and when"}, searchBenchQuestions...)
	for _, e := range kb.Entries {
		qs = append(qs, e.Phrasings()...)
		qs = append(qs, e.Answer)
	}
	for _, q := range qs {
		res, err := ix.Search(q, Options{})
		if err != nil {
			t.Fatal(err)
		}
		topic, stop := finders(res.Units)
		want, err := ix.ranked(topic, stop, candidates)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ix.find(res.Units, Options{})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%.60q: found %v, ranked searches %v", q, got, want)
		}
	}
}

// TestSearchConcurrent: searches at the same time, sharing the index's
// pooled room for hits, each find what they find alone (run it with -race).
func TestSearchConcurrent(t *testing.T) {
	kb, ix := embeddedIndex(t)
	var qs []string
	for _, e := range kb.Entries {
		qs = append(qs, e.Question)
	}
	want := make([]Result, len(qs))
	for i, q := range qs {
		var err error
		if want[i], err = ix.Search(q, Options{Top: 8}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 3 * len(qs) {
				i := (k + g) % len(qs)
				got, err := ix.Search(qs[i], Options{Top: 8})
				if err != nil || !reflect.DeepEqual(got, want[i]) {
					t.Errorf("%q: concurrently %v (%v), alone %v", qs[i], ids(got.Hits), err, ids(want[i].Hits))
				}
			}
		})
	}
	wg.Wait()
}
