package index

import "github.com/avnbot/avnbot/knowledge/english"

// intentWords ask for a kind of answer: "where did it come from" is not
// "what is it". They are grammar, the same for any FAQ, and weigh as
// specific words however common they are in general English.
var intentWords = map[string]bool{"what": true, "why": true, "where": true, "when": true,
	"who": true, "whom": true, "which": true, "how": true}

// specificity is how much a word says about a topic, from how common it is
// in general English: 1 for words SCOWL does not hold (typos fixed before,
// brands, jargon) and for rare words, falling to 1/7 for the most common,
// and 0 for function words.
func specificity(w string) float64 {
	if intentWords[w] {
		return 1
	}
	l, fn := english.Level(w)
	switch {
	case fn:
		return 0
	case l == 0:
		return 1
	}
	return min(1, float64(l)/70)
}
