package index

import (
	"testing"

	"github.com/avnbot/avnbot/knowledge"
)

// searchBenchQuestions are typical questions, one with typos.
var searchBenchQuestions = []string{
	"how many sessions will I need?",
	"is it done under anaesthetic?",
	"what is avascular necrosis",
	"can I walk straight after ESWT",
	"how many sesions of shokwave do I need",
	"is shockwave better than a hip replacement",
}

func embedded(b *testing.B) *knowledge.Base {
	b.Helper()
	kb, err := knowledge.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	return kb
}

// BenchmarkBuild indexes the embedded knowledge.
func BenchmarkBuild(b *testing.B) {
	kb := embedded(b)
	b.ReportAllocs()
	for b.Loop() {
		ix, err := Build(kb.Entries, kb.Synonyms)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

// BenchmarkSearch corrects and searches typical questions in the embedded
// knowledge, as the assistant does for each question.
func BenchmarkSearch(b *testing.B) {
	kb := embedded(b)
	ix, err := Build(kb.Entries, kb.Synonyms)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(searchBenchQuestions[i%len(searchBenchQuestions)], Options{Top: 4}); err != nil {
			b.Fatal(err)
		}
	}
}
