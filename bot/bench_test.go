package bot

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avnbot/avnbot/knowledge"
)

// benchSet is the questions of the tune set (a mix of paraphrases, typos,
// stories, greetings, two questions and questions the FAQ does not cover).
func benchSet(b *testing.B) []string {
	set, err := readSet("testdata/questions_tune.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var qs []string
	for _, l := range set {
		qs = append(qs, l.Q)
	}
	return qs
}

// longMessages are messages of MaxQuestion characters: the source material
// told over and over, each ending with one question of the set.
func longMessages(b *testing.B, qs []string) []string {
	src, err := os.ReadFile("../knowledge/content/sources/avn-shockwave.md")
	if err != nil {
		b.Fatal(err)
	}
	story := strings.Repeat(strings.Join(strings.Fields(string(src)), " ")+" ", 4)
	var out []string
	for _, q := range qs[:20] {
		out = append(out, story[:MaxQuestion-len(q)-1]+" "+q)
	}
	return out
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, int(float64(len(sorted))*p/100))
	return float64(sorted[i]) / float64(time.Microsecond)
}

func benchAsk(b *testing.B, qs []string) {
	a := newTestAssistant(b)
	var durs []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := a.Ask(qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
	}
	slices.Sort(durs)
	b.ReportMetric(percentile(durs, 50), "p50-µs")
	b.ReportMetric(percentile(durs, 99), "p99-µs")
}

// BenchmarkAsk is one ordinary question.
func BenchmarkAsk(b *testing.B) { benchAsk(b, benchSet(b)) }

// BenchmarkAskLong is a message of MaxQuestion characters.
func BenchmarkAskLong(b *testing.B) { benchAsk(b, longMessages(b, benchSet(b))) }

// BenchmarkLoadAndBuild is the start-up cost of the assistant: load and
// validate the embedded knowledge, build the index and train the models.
func BenchmarkLoadAndBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		kb, err := knowledge.Embedded()
		if err != nil {
			b.Fatal(err)
		}
		a, err := New(kb, 0)
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}
