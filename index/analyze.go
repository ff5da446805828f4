package index

import (
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Analysis: unicode words, lower case, possessives removed, the Porter
// stemmer, then synonym groups. Nothing is dropped: function and question
// words ("not", "after", "where", "how") tell questions apart, and the
// scoring weighs each word by its rarity among the entries and in English.
// bleve's own synonyms drop multi-word terms (see shared/notes/bleve.md), so
// groups are applied here, on the stemmed tokens, in entries and questions
// alike. bleve then indexes the units as they come out of this chain.

// token is one analysed word: its stem and the word as written (lower case).
type token struct {
	stem, word string
}

// chain is the analysis before synonyms.
type chain struct {
	tok     analysis.Tokenizer
	lower   analysis.TokenFilter
	possess analysis.TokenFilter
	stemmer analysis.TokenFilter
	// stems remembers the stem of every word seen while building; it is
	// only read once the index is built, so searches share it safely.
	stems map[string]string
}

func newChain() *chain {
	return &chain{
		tok:     unicode.NewUnicodeTokenizer(),
		lower:   lowercase.NewLowerCaseFilter(),
		possess: en.NewPossessiveFilter(),
		stemmer: en.NewEnglishStemmerFilter(),
		stems:   map[string]string{},
	}
}

// tokens analyses text. Only the words the knowledge does not hold are
// stemmed: the stems of the others are remembered.
func (c *chain) tokens(text string) []token {
	ts := c.possess.Filter(c.lower.Filter(c.tok.Tokenize([]byte(text))))
	out := make([]token, len(ts))
	todo := ts[:0] // the stemmer works in place: reuse the stream
	var at []int
	for i, t := range ts {
		out[i].word = string(t.Term)
		if st := c.stems[out[i].word]; st != "" {
			out[i].stem = st
			continue
		}
		todo = append(todo, t)
		at = append(at, i)
	}
	for k, t := range c.stemmer.Filter(todo) {
		out[at[k]].stem = string(t.Term)
	}
	return out
}

// learnTokens analyses text while the index is built, remembering stems.
func (c *chain) learnTokens(text string) []token {
	ts := c.possess.Filter(c.lower.Filter(c.tok.Tokenize([]byte(text))))
	out := make([]token, len(ts))
	var todo analysis.TokenStream
	var at []int
	for i, t := range ts {
		w := string(t.Term)
		out[i].word = w
		if st, ok := c.stems[w]; ok {
			out[i].stem = st
			continue
		}
		todo = append(todo, t)
		at = append(at, i)
	}
	for k, t := range c.stemmer.Filter(todo) {
		i := at[k]
		out[i].stem = string(t.Term)
		c.stems[out[i].word] = out[i].stem
	}
	return out
}

// stopWords are a standard English stop list (Lucene's and Snowball's, as
// bleve ships it). They take no part in finding candidates, which keeps a
// search over thousands of entries fast; they still count in scoring.
var stopWords = func() map[string]bool {
	tm := analysis.NewTokenMap()
	if err := tm.LoadBytes(en.EnglishStopWords); err != nil {
		panic(err) // a constant of bleve's
	}
	m := make(map[string]bool, len(tm))
	for w := range tm {
		m[w] = true
	}
	return m
}()

// synonymTable maps stemmed token sequences to the unit that names their
// group.
type synonymTable struct {
	seqs    map[string]string // joined stems → group unit
	longest int
}

// groupUnit is the unit standing for a whole group. The prefix cannot come
// out of the tokenizer, so it never collides with a word.
func groupUnit(i int) string { return "≡" + strconv.Itoa(i) }

func newSynonymTable(c *chain, groups [][]string) *synonymTable {
	t := &synonymTable{seqs: map[string]string{}}
	for i, g := range groups {
		for _, phrase := range g {
			key := joinStems(c.tokens(phrase))
			if key == "" {
				continue
			}
			if _, dup := t.seqs[key]; dup {
				continue // two phrases that stem alike: the first group keeps it
			}
			t.seqs[key] = groupUnit(i)
			t.longest = max(t.longest, strings.Count(key, " ")+1)
		}
	}
	return t
}

func joinStems(ts []token) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.stem
	}
	return strings.Join(parts, " ")
}

// match returns the group unit and length of the longest synonym phrase
// starting at ts[i]. The keys it tries, joinStems of ts[i:i+n], are the
// prefixes of one string, built once.
func (t *synonymTable) match(ts []token, i int) (string, int) {
	longest := min(t.longest, len(ts)-i)
	var buf [128]byte
	var ends [8]int
	key, end := buf[:0], ends[:0]
	for n, tk := range ts[i : i+longest] {
		if n > 0 {
			key = append(key, ' ')
		}
		key = append(key, tk.stem...)
		end = append(end, len(key))
	}
	for n := longest; n > 0; n-- {
		if g, ok := t.seqs[string(key[:end[n-1]])]; ok {
			return g, n
		}
	}
	return "", 0
}

// unit is one unit of meaning: a stem, or a synonym group standing for a
// whole phrase, with the words it was written as.
type unit struct {
	term  string
	words []string
	stems []string // of the words, for a synonym phrase
}

// units reduces tokens to units: each synonym phrase becomes its group.
func (t *synonymTable) units(ts []token) []unit {
	out := make([]unit, 0, len(ts))
	// the units' words and stems are runs of the tokens': one array each
	words := make([]string, len(ts))
	var stems []string
	for i, tk := range ts {
		words[i] = tk.word
	}
	for i := 0; i < len(ts); {
		g, n := t.match(ts, i)
		if n == 0 {
			out = append(out, unit{term: ts[i].stem, words: words[i : i+1 : i+1]})
			i++
			continue
		}
		if stems == nil {
			stems = make([]string, len(ts))
		}
		for k, tk := range ts[i : i+n] {
			stems[i+k] = tk.stem
		}
		out = append(out, unit{term: g, words: words[i : i+n : i+n], stems: stems[i : i+n : i+n]})
		i += n
	}
	return out
}
