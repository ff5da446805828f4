package index

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/avnbot/avnbot/knowledge"
)

// MedQuAD (47,441 NIH question–answer pairs) and the 104 real consumer
// questions of TREC 2017 LiveQA-Med, relative to this package; see SOURCE.md
// there. They are not part of the repository: tests skip when they are absent.
const (
	medquadDir     = "../../shared/eval/external/liveqa-med-medquad/"
	medquadFAQ     = medquadDir + "faq.jsonl.gz"
	medquadQueries = medquadDir + "queries.jsonl"
)

// readMedQuAD reads the MedQuAD pairs as FAQ entries, answers cut to
// knowledge.MaxAnswer characters as the knowledge would allow them.
// 31,034 of them have no answer: they are found by their question alone.
func readMedQuAD(tb testing.TB) []knowledge.Entry {
	tb.Helper()
	f, err := os.Open(medquadFAQ)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("%s is absent; skipping the MedQuAD scale test", medquadFAQ)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", medquadFAQ, err)
	}
	var out []knowledge.Entry
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var r struct {
			ID       string `json:"id"`
			Question string `json:"question"`
			Answer   string `json:"answer"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("%s:%d: %v", medquadFAQ, n, err)
		}
		out = append(out, knowledge.Entry{ID: r.ID, Question: r.Question, Answer: cutRunes(r.Answer, knowledge.MaxAnswer)})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", medquadFAQ, err)
	}
	return out
}

// readMedQuADQueries reads the consumer questions (subject and message).
func readMedQuADQueries(tb testing.TB) []string {
	tb.Helper()
	data, err := os.ReadFile(medquadQueries)
	if errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("%s is absent; skipping the MedQuAD queries", medquadQueries)
	}
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for n, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var q struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			tb.Fatalf("%s:%d: %v", medquadQueries, n+1, err)
		}
		out = append(out, q.Query)
	}
	return out
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// peakHeap samples the live heap until stop is called and returns the
// largest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-result }
}

// BenchmarkMedQuAD builds the index from all of MedQuAD once, reporting the
// build time and the peak heap, then measures queries (spelling correction
// and search, as the assistant does) with the real consumer questions.
func BenchmarkMedQuAD(b *testing.B) {
	entries := readMedQuAD(b)
	queries := readMedQuADQueries(b)
	runtime.GC()
	stop := peakHeap()
	start := time.Now()
	ix, err := Build(entries, nil)
	build := time.Since(start)
	peak := stop()
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)

	var durs []time.Duration
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		if _, err := ix.Search(queries[i%len(queries)], Options{Top: 5}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(t))
	}
	slices.Sort(durs)
	pct := func(p float64) float64 {
		return float64(durs[min(len(durs)-1, int(float64(len(durs))*p/100))]) / float64(time.Microsecond)
	}
	b.ReportMetric(float64(len(entries)), "entries")
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "live-heap-MB")
	b.ReportMetric(pct(50), "p50-µs")
	b.ReportMetric(pct(99), "p99-µs")
}

// TestMedQuADExactQuestions checks the engine at scale: in an index of 5,000
// MedQuAD entries, asking an indexed question word for word finds its entry
// first.
func TestMedQuADExactQuestions(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 5,000-entry index; skipped in -short mode")
	}
	all := readMedQuAD(t)
	// Every ninth entry, so that every MedQuAD source is represented.
	var entries []knowledge.Entry
	for i := 0; i < len(all) && len(entries) < 5000; i += 9 {
		entries = append(entries, all[i])
	}
	ix, err := Build(entries, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	// Only a question whose units (its stemmed words, as a set) no other
	// question of the subset has, has a single right answer.
	key := func(q string) string {
		var terms []string
		for _, u := range ix.syn.units(ix.chain.tokens(q)) {
			terms = append(terms, u.term)
		}
		slices.Sort(terms)
		terms = slices.Compact(terms)
		return strings.Join(terms, " ")
	}
	byQuestion := map[string]int{}
	for _, e := range entries {
		byQuestion[key(e.Question)]++
	}
	var sample []knowledge.Entry
	for i, e := range entries {
		if i%25 == 0 && byQuestion[key(e.Question)] == 1 {
			sample = append(sample, e)
		}
	}
	t.Logf("%d of %d entries sampled", len(sample), len(entries))
	if len(sample) < 100 {
		t.Fatalf("only %d sample questions", len(sample))
	}
	for _, e := range sample {
		res, err := ix.Search(e.Question, Options{Top: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != e.ID {
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			t.Errorf("Search(%q) = %v, want %s first", e.Question, got, e.ID)
		}
	}
}
