// Package index searches the FAQ entries with bleve: an in-memory scorch
// index with BM25, a custom English analyzer and application-level synonym
// groups that handle phrases of several words. It also reports, for every
// hit, which units of the question the entry covers, so the caller can decide
// whether the entry really answers it. No bleve type leaves this package.
package index

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/avnbot/avnbot/knowledge"
)

// Field names and the boost a match in each gets. Each phrasing of an entry
// (its question and every alternate) is a document of its own, so an entry
// scores by its best phrasing plus what its other fields add: a long list
// of alternates neither dilutes nor inflates it.
var fieldBoosts = []struct {
	name  string
	boost float64
}{
	{"phrasing", 3},
	{"tags", 1.5},
	{"answer", 1},
	{"quotes", 0.7},
}

// phrasingSep joins an entry id and a phrasing number in a document id.
const phrasingSep = "#"

// batchSize bounds the documents per batch: memory scorch keeps one segment
// per batch and runs no merger, so few large batches search fastest.
const batchSize = 5000

// Index is a searchable set of FAQ entries. It is safe for concurrent use.
type Index struct {
	bleve bleve.Index
	base  *analysis.DefaultAnalyzer
	syn   *synonymTable
	ids   []string           // entry ids in build order
	terms map[string][]int32 // entry id → sorted unit ids (all fields)
	field map[string][][]int32
	vocab map[string]int32 // unit → id
	df    []int32          // unit id → entries containing it
	words *lexicon         // raw words, for spelling correction
	light map[string]bool  // stemmed light words (see lightWords)
}

// doc is what bleve indexes for one entry; each phrasing is indexed as a
// doc holding only Phrasing.
type doc struct {
	Phrasing []string `json:"phrasing,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Answer   string   `json:"answer,omitempty"`
	Quotes   []string `json:"quotes,omitempty"`
}

func (d doc) fields() [][]string {
	return [][]string{d.Phrasing, d.Tags, {d.Answer}, d.Quotes}
}

// Build indexes entries in memory. Close the index when done with it.
func Build(entries []knowledge.Entry, synonyms []knowledge.Synonyms) (*Index, error) {
	groups := make([]any, len(synonyms))
	for i, g := range synonyms {
		terms := make([]any, len(g))
		for j, t := range g {
			terms[j] = t
		}
		groups[i] = terms
	}
	m := bleve.NewIndexMapping()
	m.ScoringModel = "bm25"
	if err := m.AddCustomAnalyzer("avn", map[string]any{"type": analyzerType, "synonyms": groups}); err != nil {
		return nil, fmt.Errorf("index mapping: %w", err)
	}
	m.DefaultAnalyzer = "avn"
	dm := bleve.NewDocumentMapping()
	for _, f := range fieldBoosts {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = "avn"
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		dm.AddFieldMappingsAt(f.name, fm)
	}
	m.DefaultMapping = dm
	m.StoreDynamic = false
	m.IndexDynamic = false

	bi, err := bleve.NewUsing("", m, scorch.Name, bleve.Config.DefaultKVStore, nil)
	if err != nil {
		return nil, fmt.Errorf("create index: %w", err)
	}
	ix := &Index{
		bleve: bi,
		base:  base(),
		terms: make(map[string][]int32, len(entries)),
		field: make(map[string][][]int32, len(entries)),
		vocab: map[string]int32{},
		words: newLexicon(),
		light: lightStems(),
	}
	ix.syn = newSynonymTable(ix.base, toStrings(synonyms))
	for _, g := range synonyms {
		for _, t := range g {
			ix.words.addText(t)
		}
	}

	b := bi.NewBatch()
	for i, e := range entries {
		d := doc{Phrasing: e.Phrasings(), Tags: e.Tags, Answer: e.Answer}
		for _, c := range e.Citations {
			d.Quotes = append(d.Quotes, c.Quote)
		}
		ix.learn(e.ID, d)
		for n, p := range d.Phrasing {
			if err := b.Index(e.ID+phrasingSep+strconv.Itoa(n), doc{Phrasing: []string{p}}); err != nil {
				bi.Close()
				return nil, fmt.Errorf("index entry %s: %w", e.ID, err)
			}
		}
		d.Phrasing = nil
		if err := b.Index(e.ID, d); err != nil {
			bi.Close()
			return nil, fmt.Errorf("index entry %s: %w", e.ID, err)
		}
		if b.Size() >= batchSize || i == len(entries)-1 {
			if err := bi.Batch(b); err != nil {
				bi.Close()
				return nil, fmt.Errorf("index batch: %w", err)
			}
			b = bi.NewBatch()
		}
	}
	return ix, nil
}

func toStrings(gs []knowledge.Synonyms) [][]string {
	out := make([][]string, len(gs))
	for i, g := range gs {
		out[i] = g
	}
	return out
}

// learn records an entry's units per field and overall, and its words.
func (ix *Index) learn(id string, d doc) {
	ix.ids = append(ix.ids, id)
	all := map[int32]bool{}
	var perField [][]int32
	for _, texts := range d.fields() {
		set := map[int32]bool{}
		for _, t := range texts {
			ix.words.addText(t)
			for _, u := range ix.expanded(t) {
				id, ok := ix.vocab[u]
				if !ok {
					id = int32(len(ix.df))
					ix.vocab[u] = id
					ix.df = append(ix.df, 0)
				}
				set[id] = true
			}
		}
		ids := sortedSet(set)
		perField = append(perField, ids)
		for _, u := range ids {
			all[u] = true
		}
	}
	terms := sortedSet(all)
	for _, u := range terms {
		ix.df[u]++
	}
	ix.terms[id] = terms
	ix.field[id] = perField
}

// expanded returns every unit a text holds: its words and the group
// tokens of its synonym phrases.
func (ix *Index) expanded(text string) []string {
	toks := ix.base.Analyze([]byte(text))
	out := make([]string, 0, len(toks)+1)
	for _, t := range toks {
		out = append(out, string(t.Term))
	}
	for i := range toks {
		if g, n := ix.syn.match(toks, i); n > 0 {
			out = append(out, g)
		}
	}
	return out
}

func sortedSet(m map[int32]bool) []int32 {
	out := make([]int32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Close releases the index's background goroutines.
func (ix *Index) Close() error { return ix.bleve.Close() }

// Unit is one unit of meaning in a question: a stemmed word, or a synonym
// group standing for a whole phrase.
type Unit struct {
	Term   string  // the stemmed word, or "≡N" for synonym group N
	Weight float64 // inverse document frequency among the entries
	Known  bool    // some entry contains it
	Light  bool    // a common word that rarely names a topic (see lightWords)
}

// Hit is one matching entry.
type Hit struct {
	ID          string
	Score       float64  // bleve's BM25 score, with field boosts
	Fields      []string // fields holding at least one unit of the question
	Covered     []bool   // Covered[i]: the entry holds Result.Units[i]
	Coverage    float64  // the weight of covered units over the weight of all, 0..1
	Explanation string   // bleve's score breakdown, when asked for
}

// Result is the answer to a search.
type Result struct {
	Units []Unit
	Hits  []Hit
}

// Options tune a search.
type Options struct {
	Top     int  // the most hits to return (default 5)
	Explain bool // fill Hit.Explanation
}

// Units splits text into the units the index matches on.
func (ix *Index) Units(text string) []Unit {
	seen := map[string]bool{}
	var out []Unit
	for _, u := range ix.syn.units(ix.base.Analyze([]byte(text))) {
		if seen[u] {
			continue
		}
		seen[u] = true
		id, known := ix.vocab[u]
		df := 0.0
		if known {
			df = float64(ix.df[id])
		}
		// An unknown word weighs as much as the rarest known one: it may be
		// a topic the FAQ lacks ("medicare"), or plain words the entries
		// happen not to use ("backed"); only rarity among the entries is known.
		n := float64(len(ix.ids))
		w := math.Log(1 + (n-max(df, 1)+0.5)/(max(df, 1)+0.5))
		if ix.light[u] {
			w *= lightWeight
		}
		out = append(out, Unit{Term: u, Known: known, Light: ix.light[u], Weight: w})
	}
	return out
}

// Search finds the entries that best match text. User text is only ever
// given to match queries, never to bleve's query-string language.
func (ix *Index) Search(text string, opt Options) (Result, error) {
	if opt.Top <= 0 {
		opt.Top = 5
	}
	res := Result{Units: ix.Units(text)}
	if len(res.Units) == 0 {
		return res, nil
	}
	var qs []query.Query
	for _, f := range fieldBoosts {
		q := bleve.NewMatchQuery(text)
		q.SetField(f.name)
		q.Analyzer = "avn"
		q.SetBoost(f.boost)
		qs = append(qs, q)
	}
	p := bleve.NewMatchPhraseQuery(text)
	p.SetField("phrasing")
	p.Analyzer = "avn"
	p.SetBoost(5)
	qs = append(qs, p)
	// Enough documents to see every phrasing of the top entries.
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), opt.Top*20, 0, opt.Explain)
	sr, err := ix.bleve.Search(req)
	if err != nil {
		return res, fmt.Errorf("search: %w", err)
	}
	// An entry's score: its best phrasing plus its own document.
	type agg struct {
		best, own float64
		expl      []string
	}
	byEntry := map[string]*agg{}
	var order []string
	for _, h := range sr.Hits {
		id, _, isPhrasing := strings.Cut(h.ID, phrasingSep)
		a := byEntry[id]
		if a == nil {
			a = &agg{}
			byEntry[id] = a
			order = append(order, id)
		}
		if isPhrasing {
			if h.Score <= a.best {
				continue
			}
			a.best = h.Score
		} else {
			a.own = h.Score
		}
		if opt.Explain && h.Expl != nil {
			a.expl = append(a.expl, h.ID+": "+h.Expl.String())
		}
	}
	for _, id := range order {
		a := byEntry[id]
		hit := Hit{ID: id, Score: a.best + a.own, Explanation: strings.Join(a.expl, "\n")}
		hit.Covered, hit.Coverage = ix.cover(id, res.Units)
		for i, f := range fieldBoosts {
			if ix.holdsAny(ix.field[id][i], res.Units) {
				hit.Fields = append(hit.Fields, f.name)
			}
		}
		res.Hits = append(res.Hits, hit)
	}
	slices.SortStableFunc(res.Hits, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	if len(res.Hits) > opt.Top {
		res.Hits = res.Hits[:opt.Top]
	}
	return res, nil
}

// Coverage scores how much of units the entry id holds, weighted by Unit.Weight.
func (ix *Index) cover(id string, units []Unit) ([]bool, float64) {
	terms := ix.terms[id]
	covered := make([]bool, len(units))
	var got, all float64
	for i, u := range units {
		all += u.Weight
		if vid, ok := ix.vocab[u.Term]; ok {
			if _, found := slices.BinarySearch(terms, vid); found {
				covered[i] = true
				got += u.Weight
			}
		}
	}
	if all == 0 {
		return covered, 0
	}
	return covered, got / all
}

func (ix *Index) holdsAny(terms []int32, units []Unit) bool {
	for _, u := range units {
		if vid, ok := ix.vocab[u.Term]; ok {
			if _, found := slices.BinarySearch(terms, vid); found {
				return true
			}
		}
	}
	return false
}
