// Package index finds and scores the FAQ entries that may answer a question.
// bleve (an in-memory scorch index) finds the candidates; the index then
// scores each candidate itself with BM25 over its phrasings (its question
// and alternates, each on its own) and its body (answer, quotes, tags), and
// reports which units of the question each candidate holds, weighted by how
// rare they are among the entries and in English. That is all the answer
// engine needs to decide; no bleve type leaves this package.
package index

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"

	"github.com/avnbot/avnbot/knowledge"
)

// BM25's parameters, the values every search engine ships with.
const (
	k1 = 1.2
	b  = 0.75
)

// batchSize bounds the documents per batch: memory scorch keeps one segment
// per batch and runs no merger, so few large batches search fastest.
const batchSize = 5000

// Index is a searchable set of FAQ entries. It is safe for concurrent use.
type Index struct {
	bleve   bleve.Index
	chain   *chain
	syn     *synonymTable
	entries []entry
	byID    map[string]int
	vocab   map[string]int32 // unit → id
	terms   []string         // id → unit
	df      []int32          // unit id → entries holding it
	avgPhr  float64          // mean units in a phrasing
	avgBody float64          // mean units in a body
	words   *lexicon         // the words of the knowledge, for spelling
	closed  atomic.Bool      // bleve.Search says so itself; matching does not
	// unitsField: bleve also indexes, in field "units", every unit of an
	// entry, phrasings and body together (see matching)
	unitsField bool
	hits       sync.Pool // *[]Hit: room to score the candidates, kept for the next search
}

// entry is what the index knows of one FAQ entry.
type entry struct {
	id        string
	phrasings []bag
	body      bag
}

// bag is a text as units: sorted unit ids with their counts.
type bag struct {
	ids []int32
	tf  []uint16
	n   int // units in all, stop words left out
}

// doc is what bleve indexes for an entry: its units, as analysed here.
type doc struct {
	Phrasing string `json:"phrasing"`
	Body     string `json:"body"`
	Units    string `json:"units"` // both, on a small knowledge (see matching); else empty
}

// Build indexes entries in memory. Close the index when done with it.
func Build(entries []knowledge.Entry, synonyms []knowledge.Synonyms) (*Index, error) {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomAnalyzer("units", map[string]any{"type": custom.Name, "tokenizer": whitespace.Name}); err != nil {
		return nil, fmt.Errorf("index mapping: %w", err)
	}
	m.DefaultAnalyzer = "units"
	dm := bleve.NewDocumentMapping()
	for _, name := range []string{"phrasing", "body", "units"} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = "units"
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		dm.AddFieldMappingsAt(name, fm)
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
		chain: newChain(),
		byID:  make(map[string]int, len(entries)),
		vocab: map[string]int32{},
		words: newLexicon(),
		// find asks which entries hold a unit, rather than for the best,
		// when all of them fit in the candidates (twice as many as usual
		// when some are excluded): then one field of all of an entry's
		// units makes one lookup per unit rather than two
		unitsField: len(entries) <= 2*candidates,
	}
	groups := make([][]string, len(synonyms))
	for i, g := range synonyms {
		groups[i] = g
		for _, t := range g {
			ix.words.addText(t)
		}
	}
	ix.syn = newSynonymTable(ix.chain, groups)

	var nPhr, lenPhr, lenBody int
	batch := bi.NewBatch()
	for i, e := range entries {
		en := entry{id: e.ID}
		var d doc
		var phr []string
		for _, p := range e.Phrasings() {
			g, text := ix.learn(p)
			en.phrasings = append(en.phrasings, g)
			phr = append(phr, text)
			nPhr++
			lenPhr += g.n
		}
		body := append([]string{e.Answer}, e.Tags...)
		for _, c := range e.Citations {
			body = append(body, c.Quote)
		}
		en.body, d.Body = ix.learn(strings.Join(body, "\n"))
		lenBody += en.body.n
		d.Phrasing = strings.Join(phr, " ")
		if ix.unitsField {
			d.Units = d.Phrasing + " " + d.Body
		}
		ix.byID[e.ID] = len(ix.entries)
		ix.entries = append(ix.entries, en)
		ix.count(en)
		if err := batch.Index(e.ID, d); err != nil {
			bi.Close()
			return nil, fmt.Errorf("index entry %s: %w", e.ID, err)
		}
		if batch.Size() >= batchSize || i == len(entries)-1 {
			if err := bi.Batch(batch); err != nil {
				bi.Close()
				return nil, fmt.Errorf("index batch: %w", err)
			}
			batch = bi.NewBatch()
		}
	}
	ix.avgPhr = float64(lenPhr) / float64(max(nPhr, 1))
	ix.avgBody = float64(lenBody) / float64(max(len(entries), 1))
	return ix, nil
}

// learn analyses one text of an entry once: it returns the text as a bag of
// units and as the string bleve indexes, and adds its words to the lexicon.
// A synonym phrase counts as its group and, so that one of its words alone
// still matches, as its words.
func (ix *Index) learn(text string) (bag, string) {
	counts := map[int32]int{}
	add := func(term string) {
		id, ok := ix.vocab[term]
		if !ok {
			id = int32(len(ix.df))
			ix.vocab[term] = id
			ix.df = append(ix.df, 0)
			ix.terms = append(ix.terms, term)
		}
		counts[id]++
	}
	ts := ix.chain.learnTokens(text)
	n := 0 // the length BM25 normalises by: stop words do not count
	for _, t := range ts {
		ix.words.add(t.word)
	}
	for _, u := range ix.syn.units(ts) {
		if len(u.words) > 1 || !stopWords[u.words[0]] {
			n++
		}
		add(u.term)
		if len(u.stems) > 1 {
			for _, st := range u.stems {
				add(st)
			}
		}
	}
	g := bag{ids: make([]int32, 0, len(counts)), n: n}
	// bleve finds candidates by which units an entry holds, once each
	terms := make([]string, 0, len(counts))
	for id := range counts {
		g.ids = append(g.ids, id)
	}
	slices.Sort(g.ids)
	g.tf = make([]uint16, len(g.ids))
	for i, id := range g.ids {
		g.tf[i] = uint16(min(counts[id], math.MaxUint16))
		terms = append(terms, ix.terms[id])
	}
	return g, strings.Join(terms, " ")
}

// count adds an entry's units to the document frequencies.
func (ix *Index) count(e entry) {
	seen := map[int32]bool{}
	for _, g := range append(slices.Clone(e.phrasings), e.body) {
		for _, id := range g.ids {
			if !seen[id] {
				seen[id] = true
				ix.df[id]++
			}
		}
	}
}

// Close releases the index's background goroutines.
func (ix *Index) Close() error {
	ix.closed.Store(true)
	return ix.bleve.Close()
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// Unit is one unit of meaning in a question: a stemmed word, or a synonym
// group standing for a whole phrase.
type Unit struct {
	Term string // the stem, or "≡N" for synonym group N
	Text string // the words as written
	// IDF is the unit's rarity among the entries (BM25's idf); a unit no
	// entry holds gets the largest.
	IDF float64
	// Specificity is how much the words say about a topic, from how common
	// they are in English (1 for rare words, about 1/7 for "time").
	Specificity float64
	Known       bool // some entry holds it
}

// Weight is the unit's share in how much of a question is explained: its
// rarity among the entries, or for a unit no entry holds, how specific it
// is in English ("medicare" weighs a lot). Function words weigh nothing.
func (u Unit) Weight() float64 {
	switch {
	case u.Specificity == 0:
		return 0 // a function word: "would", "be", "at"
	case u.Known:
		return u.IDF
	}
	return u.IDF * u.Specificity
}

// Topical reports whether the unit names something: a word that is neither
// a function word, nor on the standard stop list (WordNet knows "i",
// "there" and "all" as nouns too), nor a question word: "what do I do"
// names nothing.
func (u Unit) Topical() bool {
	return u.Specificity > 0 && !stopWords[u.Text] && !intentWords[u.Text]
}

// Hit is one candidate entry and how it matches.
type Hit struct {
	ID       string
	Score    float64 // the ranking: BM25 of the best phrasing
	Phrasing float64 // BM25 of the best phrasing
	Body     float64 // BM25 of the answer, quotes and tags (not in Score)
	Best     int     // the best phrasing: 0 the question, then the alternates
	// InEntry[i] and InPhrasing[i]: the entry anywhere, and its best
	// phrasing, hold Result.Units[i].
	InEntry, InPhrasing []bool
	// Reverse is the share of the best phrasing's units (by IDF) that the
	// question holds: how much of what the phrasing asks was asked.
	Reverse float64
}

// Result is what a search found.
type Result struct {
	Searched    string // the text searched: the question, spelling corrected
	Corrections []Correction
	Units       []Unit
	Hits        []Hit // best first; ties broken by entry id
}

// Options tune a search.
type Options struct {
	Top int // the most hits to return (default 5)
	// Exclude hides phrasings from the search, to ask what the index would
	// answer without them: phrasing -1 hides the entry's body. The model
	// that decides whether to answer is trained this way.
	Exclude func(id string, phrasing int) bool
}

// candidates is how many entries bleve proposes for scoring.
const candidates = 60

// maxFind is how many of a question's words find the candidates.
const maxFind = 12

// Search finds the entries that best match text, after correcting its
// spelling. The text is never given to bleve's query-string language.
func (ix *Index) Search(text string, opt Options) (Result, error) {
	if opt.Top <= 0 {
		opt.Top = 5
	}
	var res Result
	res.Searched, res.Corrections = ix.Correct(text)
	us := ix.syn.units(ix.chain.tokens(res.Searched))
	var at places
	seen := map[string]bool{}
	if len(us) > 0 {
		res.Units = make([]Unit, 0, len(us))
	}
	n := float64(len(ix.entries))
	for _, u := range us {
		if seen[u.term] {
			continue
		}
		seen[u.term] = true
		id, known := ix.vocab[u.term]
		if known {
			at.add(id, len(res.Units))
		}
		df := 0.0
		if known {
			df = float64(ix.df[id])
		}
		spec := 1.0
		if !strings.HasPrefix(u.term, "≡") {
			spec = specificity(u.words[0])
		}
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		res.Units = append(res.Units, Unit{Term: u.term, Text: strings.Join(u.words, " "), Known: known,
			IDF: idf, Specificity: spec})
	}
	at.sort()
	found, err := ix.find(res.Units, opt)
	if err != nil {
		return res, err
	}
	buf, _ := ix.hits.Get().(*[]Hit)
	if buf == nil {
		buf = new([]Hit)
	}
	defer func() {
		clear(*buf) // let go of the hits' slices
		*buf = (*buf)[:0]
		ix.hits.Put(buf)
	}()
	hits := *buf
	for _, ei := range found {
		if h, ok := ix.score(ei, at, res.Units, opt.Exclude); ok {
			hits = append(hits, h)
		}
	}
	*buf = hits
	if len(hits) == 0 {
		return res, nil
	}
	// Sort the hits' places, not the hits (large structs), and keep the top.
	order := make([]int, len(hits))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := &hits[i], &hits[j]
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	res.Hits = make([]Hit, min(len(hits), opt.Top))
	for k := range res.Hits {
		res.Hits[k] = hits[order[k]]
	}
	return res, nil
}

// find asks bleve for the candidates: the entries holding any of the
// question's known units that are not stop words, best first by bleve's own
// BM25, a match in the body counting a tenth of one in a phrasing. When
// those find fewer than enough, the stop words search too: "how does it
// spread" must find "How does X spread?" through "how" and "does" when
// "spread" is unknown. On a large knowledge the topic words find plenty,
// and the stop words, which every entry holds, are never searched.
func (ix *Index) find(units []Unit, opt Options) ([]int, error) {
	size := candidates
	if opt.Exclude != nil {
		size += candidates // room for what is hidden
	}
	topic, stop := finders(units)
	if len(ix.entries) <= size {
		// Every entry that matches is a candidate, so bleve's order, which
		// only decides who is left out, does not matter (Search ranks the
		// candidates itself), and the two searches below come to every
		// entry holding a topic or a stop word: ask bleve for that set alone.
		return ix.matching(append(topic, stop...))
	}
	return ix.ranked(topic, stop, size)
}

// finders are the known units that find candidates: the topic words, the
// rarest first and at most maxFind of them (a long message's common words
// would only make the search slow), and the stop words.
func finders(units []Unit) (topic, stop []Unit) {
	topic = make([]Unit, 0, len(units)) // room for the stop words after them
	for _, u := range units {
		switch {
		case !u.Known:
		case stopWords[u.Text]:
			stop = append(stop, u)
		default:
			topic = append(topic, u)
		}
	}
	slices.SortStableFunc(topic, func(a, b Unit) int { return cmp.Compare(b.IDF, a.IDF) })
	return topic[:min(len(topic), maxFind)], stop
}

// ranked returns the best size entries by bleve's BM25 for the topic words,
// then, if there is room, for the topic and stop words.
func (ix *Index) ranked(topic, stop []Unit, size int) ([]int, error) {
	out, err := ix.bleveSearch(topic, size, nil)
	if err != nil || len(out) >= size || len(stop) == 0 {
		return out, err
	}
	return ix.bleveSearch(append(topic, stop...), size, out)
}

// bleveSearch returns the entries bleve finds for the units, after those in
// first.
func (ix *Index) bleveSearch(units []Unit, size int, first []int) ([]int, error) {
	if len(units) == 0 {
		return first, nil
	}
	var qs []query.Query
	for _, u := range units {
		for _, f := range []string{"phrasing", "body"} {
			q := bleve.NewTermQuery(u.Term)
			q.SetField(f)
			if f == "body" {
				q.SetBoost(0.1)
			}
			qs = append(qs, q)
		}
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), size, 0, false)
	sr, err := ix.bleve.Search(req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := first
	seen := make(map[int]bool, len(first))
	for _, i := range first {
		seen[i] = true
	}
	for _, h := range sr.Hits {
		if i, ok := ix.byID[h.ID]; ok && !seen[i] && len(out) < size {
			seen[i] = true
			out = append(out, i)
		}
	}
	return out, nil
}

// matching returns every entry that holds one of the units, in phrasing or
// body, in no particular order. It asks bleve's searchers directly, without
// scores (bleve then ORs the units' postings as bitmaps), and without the
// collector of a bleve.Search, which would rank and allocate for the top
// hits; this is a fifth of the cost of the ranked search on this FAQ. On a
// knowledge small enough to be searched this way, a field holds both
// phrasings and body, which halves the lookups (a term searcher each).
func (ix *Index) matching(units []Unit) ([]int, error) {
	fields := []string{"phrasing", "body"}
	if ix.unitsField {
		fields = []string{"units"}
	}
	if len(units) == 0 {
		return nil, nil
	}
	if ix.closed.Load() {
		return nil, fmt.Errorf("search: %w", bleve.ErrorIndexClosed)
	}
	adv, err := ix.bleve.Advanced()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer r.Close()
	ctx := context.Background()
	opt := search.SearcherOptions{Score: "none"}
	ss := make([]search.Searcher, 0, len(fields)*len(units))
	closeAll := func() {
		for _, s := range ss {
			s.Close()
		}
	}
	for _, u := range units {
		for _, f := range fields {
			s, err := searcher.NewTermSearcher(ctx, r, u.Term, f, 1, opt)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("search: %w", err)
			}
			ss = append(ss, s)
		}
	}
	d, err := searcher.NewDisjunctionSearcher(ctx, r, ss, 0, opt)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("search: %w", err)
	}
	defer d.Close()
	sc := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(d.DocumentMatchPoolSize()+1, 0), IndexReader: r}
	var out []int
	for {
		m, err := d.Next(sc)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if m == nil {
			return out, nil
		}
		id, err := r.ExternalID(m.IndexInternalID)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if i, ok := ix.byID[id]; ok {
			out = append(out, i)
		}
		sc.DocumentMatchPool.Put(m)
	}
}

// score computes BM25 of entry ei's best phrasing and of its body for the
// question, and which of the question's units it holds. at maps a unit id
// to its place in the question.
func (ix *Index) score(ei int, at places, units []Unit, exclude func(string, int) bool) (Hit, bool) {
	e := ix.entries[ei]
	h := Hit{ID: e.id, Best: -1, InEntry: make([]bool, len(units)), InPhrasing: make([]bool, len(units))}
	best := bag{}
	for p, g := range e.phrasings {
		if exclude != nil && exclude(e.id, p) {
			continue
		}
		s := ix.bm25(g, at, units, ix.avgPhr, h.InEntry)
		if h.Best < 0 || s > h.Phrasing {
			h.Best, h.Phrasing, best = p, s, g
		}
	}
	if exclude == nil || !exclude(e.id, -1) {
		h.Body = ix.bm25(e.body, at, units, ix.avgBody, h.InEntry)
	}
	if h.Best < 0 && h.Body == 0 {
		return h, false
	}
	// The body is written to answer, not to be asked: it tells which units
	// the entry holds, and finds candidates, but does not rank them.
	h.Score = h.Phrasing
	if h.Best >= 0 {
		var got, all float64
		for _, id := range best.ids {
			all += ix.idf(id)
		}
		at.join(best, func(i, _ int) {
			got += units[i].IDF
			h.InPhrasing[i] = true
		})
		if all > 0 {
			h.Reverse = got / all
		}
	} else {
		h.Best = 0
	}
	return h, h.Score > 0 || h.Body > 0
}

func (ix *Index) idf(id int32) float64 {
	n, df := float64(len(ix.entries)), float64(ix.df[id])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// bm25 scores a bag for the question's units, and marks in holds the
// units it holds.
func (ix *Index) bm25(g bag, at places, units []Unit, avg float64, holds []bool) float64 {
	var s float64
	norm := k1 * (1 - b + b*float64(g.n)/avg)
	at.join(g, func(i, k int) {
		holds[i] = true
		tf := float64(g.tf[k])
		s += units[i].IDF * tf * (k1 + 1) / (tf + norm)
	})
	return s
}

// places are the question's known units: their ids, sorted, and where each
// stands among Result.Units.
type places struct {
	ids []int32
	at  []int
}

func (p *places) add(id int32, i int) {
	p.ids = append(p.ids, id)
	p.at = append(p.at, i)
}

func (p *places) sort() {
	sort.Sort(p)
}

func (p *places) Len() int           { return len(p.ids) }
func (p *places) Less(i, j int) bool { return p.ids[i] < p.ids[j] }
func (p *places) Swap(i, j int) {
	p.ids[i], p.ids[j] = p.ids[j], p.ids[i]
	p.at[i], p.at[j] = p.at[j], p.at[i]
}

// join calls f for each unit the bag holds, with the unit's place among
// the question's units and its index in the bag: both lists are sorted,
// so one walk through them finds the common ids.
func (p places) join(g bag, f func(i, k int)) {
	a, k := 0, 0
	for a < len(p.ids) && k < len(g.ids) {
		switch {
		case p.ids[a] < g.ids[k]:
			a++
		case p.ids[a] > g.ids[k]:
			k++
		default:
			f(p.at[a], k)
			a++
			k++
		}
	}
}
