package index

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// The analyzer: unicode words, lower case, possessives, a short stop list
// that keeps negations, time and question words ("not", "after", "how
// long"), the Porter stemmer, then synonym groups. bleve's own synonyms are
// not used: they drop multi-word terms (see shared/notes/bleve.md), so groups
// are applied here, on the stemmed token stream, in both documents and queries.

const analyzerType = "avnbot"

// stopWords carry no topic: function words, question words and the filler
// of conversation ("explain", "tell me", "I was wondering"). Negations, time
// and quantity words ("not", "after", "before", "many", "long", "much")
// stay: they tell questions apart.
var stopWords = strings.Fields(`a an the and or but if so as of to in on at by for from with into onto
is are was were be been being am do does did doing done about
i me my mine myself you your yours we us our it its this that these those there here
he him his she her they them their
can could would should will shall may might must have has had having
just really very also too some any
what which who whom whose why where how
please thanks thank hi hello hey
explain tell know wondering wonder curious question questions anyone someone somebody guys folks
simply basically exactly actually like kind sort bit info information mean means meant
ok okay yes yeah right sure anyway honestly seriously literally maybe perhaps probably
guess think thought understand understood idea confused clue sense
told tell said say says saying asked ask mentioned heard read reading seen saw
worried worry worrying scared afraid terrified nervous anxious frightened concerned stressed
mum mom dad mother father wife husband partner son daughter friend friends family sister brother
i'm i've i'd i'll you're it's that's what's whats there's don't didn't doesn't isn't aren't
im ive id ill dont didnt doesnt isnt arent wont cant
dose wat wht wen wil u ur r pls plz thx
thing things stuff something anything everything someone's
because since though although anyway else ever even well then than
currently recently already yet still soon lately`)

// lightWords are common English words that rarely name a topic of their
// own ("get", "way", "properly", "weeks", "kids"): the personal context of a
// patient's message. Unlike stop words they are still searched, but they
// weigh little in coverage (lightWeight), so "can AVN leave you disabled" or
// "I look after two kids, will I be out of action for long" is judged by its
// topic words. They are matched after stemming, so inflections count too.
// Words that tell this FAQ's entries apart ("long", "much", "work", "new",
// "need", "use", "last", "happen") must not be listed.
var lightWords = strings.Fields(`get got getting make made making take took taken taking give gave given
go going gone went come came coming want wanted wanting look looked looking let put keep kept
leave left leaving start started starting try tried trying feel felt feeling seem seemed
find found see seeing call called end ended
way word kind type lot lots part spot bit piece
day days week weeks month months year years today tomorrow tonight morning night
properly proper all away out up involve involves involved include includes down next again now anywhere somewhere everywhere around back
rather quite pretty lately often sometimes always never
good great nice fine poor big small little
one two three four five six several few
kid kids child children job boss plan plans action group support
help helps helped helping helpful useful
`)

// stem reduces one lower-case word as the analyzer would, without the stop
// list.
func stem(w string) string {
	toks := porter.NewPorterStemmer().Filter(analysis.TokenStream{{Term: []byte(w)}})
	return string(toks[0].Term)
}

// lightStems are the stems of the light words and of the stop words: the
// stop filter runs before the stemmer, so "kinds" and "ideas" get through
// it; they weigh as light words.
func lightStems() map[string]bool {
	m := map[string]bool{}
	for _, w := range append(slices.Clone(lightWords), stopWords...) {
		m[stem(w)] = true
	}
	return m
}

// lightWeight is the share of its weight a light word keeps in coverage.
const lightWeight = 0.2

func init() {
	if err := registry.RegisterAnalyzer(analyzerType, newAnalyzer); err != nil {
		panic(err)
	}
}

// base is the chain before synonyms.
func base() *analysis.DefaultAnalyzer {
	sw := analysis.NewTokenMap()
	for _, w := range stopWords {
		sw.AddToken(w)
	}
	return &analysis.DefaultAnalyzer{
		Tokenizer: unicode.NewUnicodeTokenizer(),
		TokenFilters: []analysis.TokenFilter{
			lowercase.NewLowerCaseFilter(),
			en.NewPossessiveFilter(),
			stop.NewStopTokensFilter(sw),
			porter.NewPorterStemmer(),
		},
	}
}

// newAnalyzer builds the analyzer from its mapping config: "synonyms" is a
// list of groups, each a list of phrases.
func newAnalyzer(config map[string]any, _ *registry.Cache) (analysis.Analyzer, error) {
	a := base()
	groups, _ := config["synonyms"].([]any)
	var gs [][]string
	for _, g := range groups {
		terms, ok := g.([]any)
		if !ok {
			return nil, fmt.Errorf("synonym group %v is not a list", g)
		}
		var group []string
		for _, t := range terms {
			s, _ := t.(string)
			group = append(group, s)
		}
		gs = append(gs, group)
	}
	a.TokenFilters = append(a.TokenFilters, &synonymFilter{table: newSynonymTable(a, gs)})
	return a, nil
}

// synonymTable maps stemmed token sequences to the token that names their
// group.
type synonymTable struct {
	seqs    map[string]string // joined stemmed tokens → group token
	longest int
}

// groupToken is the indexed term standing for a whole group. The prefix
// cannot come out of the tokenizer, so it never collides with a word.
func groupToken(i int) string { return "≡" + strconv.Itoa(i) }

func newSynonymTable(a analysis.Analyzer, groups [][]string) *synonymTable {
	t := &synonymTable{seqs: map[string]string{}}
	for i, g := range groups {
		for _, phrase := range g {
			var toks []string
			for _, tok := range a.Analyze([]byte(phrase)) {
				toks = append(toks, string(tok.Term))
			}
			if len(toks) == 0 {
				continue
			}
			key := strings.Join(toks, " ")
			if _, dup := t.seqs[key]; dup {
				continue // two phrases that stem alike: the first group keeps it
			}
			t.seqs[key] = groupToken(i)
			t.longest = max(t.longest, len(toks))
		}
	}
	return t
}

// match returns the group token and length of the longest synonym phrase
// starting at toks[i].
func (t *synonymTable) match(toks analysis.TokenStream, i int) (string, int) {
	for n := min(t.longest, len(toks)-i); n > 0; n-- {
		parts := make([]string, n)
		for j := range n {
			parts[j] = string(toks[i+j].Term)
		}
		if g, ok := t.seqs[strings.Join(parts, " ")]; ok {
			return g, n
		}
	}
	return "", 0
}

// synonymFilter adds the group token after every synonym phrase, at the
// phrase's first position, keeping the words themselves.
type synonymFilter struct{ table *synonymTable }

func (f *synonymFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in)+2)
	for i := 0; i < len(in); {
		g, n := f.table.match(in, i)
		if n == 0 {
			out = append(out, in[i])
			i++
			continue
		}
		out = append(out, in[i:i+n]...)
		out = append(out, &analysis.Token{
			Term:     []byte(g),
			Start:    in[i].Start,
			End:      in[i+n-1].End,
			Position: in[i].Position,
			Type:     analysis.AlphaNumeric,
		})
		i += n
	}
	return out
}

// units reduces a token stream from the base chain to the units of meaning
// used for coverage: stemmed words, each synonym phrase replaced by its
// group token.
func (t *synonymTable) units(toks analysis.TokenStream) []string {
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); {
		g, n := t.match(toks, i)
		if n == 0 {
			out = append(out, string(toks[i].Term))
			i++
			continue
		}
		out = append(out, g)
		i += n
	}
	return out
}
