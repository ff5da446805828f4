package bot

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/avnbot/avnbot/knowledge"
)

// benchQuestions is a mix of what users send: paraphrases, a typo, several
// questions at once, an off-topic one, a red flag and a 6,000-character message.
var benchQuestions = []string{
	"how many sessions will I need?",
	"How long does a focused shockwave session take?",
	"is it done under anaesthetic?",
	"what is avascular necrosis",
	"explain osteonecrosis to me simply",
	"can I walk straight after ESWT",
	"what are the risks of shockwave",
	"does shock wave therapy hurt",
	"how soon can I go back to work",
	"is shockwave better than a hip replacement",
	"do I need to stay in hospital overnight",
	"is there research evidence it works",
	"how many sesions of shokwave do I need", // typos
	"is ESWT covered by medicare",            // on topic, not covered
	"what's the weather like in Paris today", // off topic
	"hi there",
	"my hip hurts so much I can't stand and I have a fever",
	"how many sessions will I need? is it done under anaesthetic? can I walk after?",
	"I was diagnosed with AVN in my left hip last year after a long course of steroids for asthma, and my consultant mentioned shockwave; will it leave scars?",
	strings.Repeat("I have had hip pain for a while and my doctor is not sure what it is. ", 90)[:6000],
}

// percentile is the p-th percentile (0..100) of sorted durations, in µs.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, int(float64(len(sorted))*p/100))
	return float64(sorted[i]) / float64(time.Microsecond)
}

// BenchmarkAsk asks the questions in turn and reports the latency
// distribution of one Ask over the mix.
func BenchmarkAsk(b *testing.B) {
	a := newTestAssistant(b)
	var durs []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		a.Ask(benchQuestions[i%len(benchQuestions)])
		durs = append(durs, time.Since(start))
	}
	slices.Sort(durs)
	b.ReportMetric(percentile(durs, 50), "p50-µs")
	b.ReportMetric(percentile(durs, 99), "p99-µs")
}

// BenchmarkLoadAndBuild is the start-up cost of the assistant: load and
// validate the embedded knowledge, and build the index.
func BenchmarkLoadAndBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		kb, err := knowledge.Embedded()
		if err != nil {
			b.Fatal(err)
		}
		a, err := New(kb)
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}
