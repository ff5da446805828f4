package bot

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/avnbot/avnbot/index"
	"github.com/avnbot/avnbot/knowledge"
)

// The confidence rule. An entry answers a question when it covers enough of
// the question's meaning: Coverage is the share of the question's units
// (stemmed words and synonym groups, weighted by how rare they are in the
// FAQ) that the entry holds anywhere. Words the FAQ never uses weigh the
// most, so "is ESWT covered by medicare" is not answered by the entry on
// ESWT sessions. The thresholds were calibrated on the dev set and the
// regression set in testdata/ (see README).
const (
	// MinCoverage is the share of the question an entry must cover. On the
	// project's regression set 0.45 answered 65/78 and abstained on 21/24;
	// 0.55 answered 57/78 and abstained on 22/24; 0.7, 48/78 and 24/24.
	MinCoverage = 0.55
	// MinTopic is the weight of known units a question needs to be on topic
	// at all; below it the reply is the short help text.
	MinTopic = 0.01
	// pickRatio: a hit that covers the question is preferred to better
	// scoring hits that do not, if it scores at least this share of the top.
	pickRatio = 0.35
	// minPartTopic is the weight of its topic words (not light words) a
	// part of a message must have covered to be answered alone: "I'm scared
	// it's avascular necrosis" names only the FAQ's subject, no question.
	minPartTopic = 1.0
	// relatedCoverage is the least coverage for a related entry.
	relatedCoverage = 0.2
)

// minCore is the least weight of covered topic words (not light words) an
// answer needs: "hi there, can you help me?" names no topic at all.
const minCore = 0.2

// maxParts is the most sentences or clauses of one message searched apart.
const maxParts = 8

// urgentMargin raises the bar for adding an FAQ answer below urgent
// guidance: a person describing an emergency gets an entry only when the
// message clearly asks what it answers.
const urgentMargin = 0.25

// Texts of the replies the assistant writes itself.
const (
	noMatchText = "I don't have a curated answer for that, and I won't guess. " +
		"This FAQ only covers what its source material says about avascular necrosis (AVN) of the hip " +
		"and focused shockwave therapy. The closest topics it has are below."
	offTopicText = "I'm an FAQ assistant for avascular necrosis (AVN) of the hip and focused shockwave therapy. " +
		"Ask me a question such as \"How long does a shockwave session take?\" or \"Is it done under anaesthetic?\", " +
		"or browse the topics with /faq."
)

// Assistant answers questions from one set of knowledge. It is safe for
// concurrent use.
type Assistant struct {
	kb      *knowledge.Base
	ix      *index.Index
	entries map[string]knowledge.Entry
	titles  map[string]string // source id → title
}

// New indexes the knowledge and returns an assistant. Close it when done.
func New(kb *knowledge.Base) (*Assistant, error) {
	ix, err := index.Build(kb.Entries, kb.Synonyms)
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	a := &Assistant{kb: kb, ix: ix, entries: map[string]knowledge.Entry{}, titles: map[string]string{}}
	for _, e := range kb.Entries {
		a.entries[e.ID] = e
	}
	for _, s := range kb.Sources {
		a.titles[s.ID] = s.Title
	}
	return a, nil
}

// Close releases the index.
func (a *Assistant) Close() error { return a.ix.Close() }

// Candidate is a scored entry, for developers looking at a decision.
type Candidate struct {
	Ref
	Score       float64
	Coverage    float64
	Fields      []string
	Missing     []string // units of the question the entry lacks
	Explanation string
}

// Trace records how a question was decided, for the CLI's --explain and --top.
type Trace struct {
	Searched    string // the normalised, spell-corrected text searched
	Corrections []index.Correction
	Part        string // the part of the question that was answered, if split
	Candidates  []Candidate
}

// Ask answers one question.
func (a *Assistant) Ask(question string) Answer {
	ans, _ := a.decide(question, 3, false)
	return ans
}

// Explain answers like Ask and also returns how: the top candidates with
// scores, coverage and, when explain is set, bleve's score breakdown.
func (a *Assistant) Explain(question string, top int, explain bool) (Answer, Trace) {
	return a.decide(question, top, explain)
}

// socialWords make up greetings, thanks and small talk. A message made of
// them alone ("thanks so much, that helped", "good morning, anyone about?")
// gets the help text, never an entry, however many entries use "help" or
// "much".
var socialWords = wordSet(`hi hello hey hiya howdy yo greetings good morning afternoon evening night day
thanks thank thx ty cheers appreciate appreciated grateful much so very really lot lots a
that this it you u all everyone everybody anyone anybody there guys folks about here
helped helpful help great nice cool awesome perfect brilliant lovely amazing wonderful excellent fab
ok okay k fine sure yes yeah yep no nope lol haha hehe wow oh ah bye goodbye see later soon
take care again welcome sorry and for your the was is just
i i'm im me my we that's thats it's its useful informative clear today tonight now answer answers info`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// social reports whether q is only greetings, thanks or small talk.
func social(q string) bool {
	ws := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	for _, w := range ws {
		if !socialWords[strings.Trim(w, "'")] {
			return false
		}
	}
	return len(ws) > 0
}

var (
	sentenceEnd = regexp.MustCompile(`[?!.;\n]+\s*|\s+(?:and also|also|plus)\s+`)
	clauseEnd   = regexp.MustCompile(`[?!.;,:\n]+\s*|\s+-+\s+|\s+(?:and|but|also|plus)\s+`)
)

// decide is the assistant: triage, search, the confidence rule.
func (a *Assistant) decide(question string, top int, explain bool) (Answer, Trace) {
	q := Normalize(question)
	ans := Answer{Advice: a.kb.Safety.Advice}
	if f, ok := a.kb.Safety.Match(strings.ToLower(q)); ok {
		ans.Urgent, ans.Crisis, ans.Category = true, f.Crisis, f.Category
		ans.Guidance = a.kb.Safety.Urgent
		if f.Crisis {
			// Crisis guidance only: a person in crisis gets no FAQ content.
			ans.Guidance = a.kb.Safety.Crisis
			ans.Kind = NoMatch // the guidance says it all
			return ans, Trace{}
		}
	}

	if social(q) && !ans.Urgent {
		ans.Kind, ans.Text = OffTopic, offTopicText
		return ans, Trace{}
	}

	q = tail(q, MaxSearch)
	best, tr := a.match(q, top, explain)
	// A message with several sentences or questions: the best-covered part
	// wins when the whole is not covered well enough.
	// When no sentence is, its clauses are tried ("how many sessions and
	// does it hurt afterwards, can I go to work the next day").
	for _, split := range []*regexp.Regexp{sentenceEnd, clauseEnd} {
		if best.coverage >= MinCoverage {
			break
		}
		parts := split.Split(q, -1)
		if len(parts) < 2 {
			continue
		}
		// Only the last few parts: a long message puts its question last,
		// and this bounds the searches a message can cost.
		parts = parts[max(0, len(parts)-maxParts):]
		for _, p := range parts {
			if len(strings.Fields(p)) < 2 {
				continue
			}
			m, ptr := a.match(p, top, explain)
			if m.coverage >= MinCoverage && m.core >= minPartTopic && (best.coverage < MinCoverage || m.score > best.score) {
				best, tr = m, ptr
				tr.Part = p
			}
		}
	}

	ans.Score, ans.Confidence = best.score, best.coverage
	need := MinCoverage
	if ans.Urgent {
		need += urgentMargin
	}
	switch {
	case best.id != "" && best.coverage >= need && best.topic >= MinTopic && best.core >= minCore:
		a.fill(&ans, a.entries[best.id])
		ans.Related = a.related(best.id, best.runnersUp)
	case ans.Urgent:
		ans.Kind = NoMatch // the guidance says it all
	case best.known < MinTopic:
		ans.Kind, ans.Text = OffTopic, offTopicText
	default:
		ans.Kind, ans.Text = NoMatch, noMatchText
		ans.Related = a.related("", append([]string{best.id}, best.runnersUp...))
	}
	return ans, tr
}

// match is the best entry for one piece of text.
type match struct {
	id        string
	score     float64
	coverage  float64
	topic     float64 // weight of the question's units the entry covers
	core      float64 // the same, light words left out
	known     float64 // weight of the question's units any entry holds
	runnersUp []string
}

func (a *Assistant) match(text string, top int, explain bool) (match, Trace) {
	corrected, fixes := a.ix.Correct(text)
	tr := Trace{Searched: corrected, Corrections: fixes}
	res, err := a.ix.Search(corrected, index.Options{Top: max(top, 4), Explain: explain})
	if err != nil || len(res.Hits) == 0 {
		return match{}, tr
	}
	var m match
	for _, u := range res.Units {
		if u.Known {
			m.known += u.Weight
		}
	}
	// The answer is the hit that covers most of the question (in steps of
	// a tenth, then by score) among those scoring at least pickRatio of the
	// top hit: a close runner-up that covers the whole question beats a top
	// hit that matched only part of it.
	// Light words do not take part: "downsides to getting a hip
	// replacement" is not better answered by an entry that says "get".
	core := func(h index.Hit) float64 {
		var got, all float64
		for j, u := range res.Units {
			if u.Light {
				continue
			}
			all += u.Weight
			if h.Covered[j] {
				got += u.Weight
			}
		}
		if all == 0 {
			return h.Coverage
		}
		return got / all
	}
	pick := 0
	for i, h := range res.Hits {
		p := res.Hits[pick]
		if h.Score >= pickRatio*res.Hits[0].Score && math.Round(core(h)*10) > math.Round(core(p)*10) {
			pick = i
		}
	}
	for i, h := range res.Hits {
		c := Candidate{Ref: Ref{ID: h.ID, Question: a.entries[h.ID].Question}, Score: h.Score,
			Coverage: h.Coverage, Fields: h.Fields, Explanation: h.Explanation}
		for j, u := range res.Units {
			if !h.Covered[j] {
				c.Missing = append(c.Missing, u.Term)
			}
		}
		if i < top {
			tr.Candidates = append(tr.Candidates, c)
		}
		if i == pick {
			m.id, m.score, m.coverage = h.ID, h.Score, h.Coverage
			for j, u := range res.Units {
				if h.Covered[j] {
					m.topic += u.Weight
					if !u.Light {
						m.core += u.Weight
					}
				}
			}
			continue
		}
		if h.Coverage >= relatedCoverage {
			m.runnersUp = append(m.runnersUp, h.ID)
		}
	}
	return m, tr
}

// related picks up to 3 entries other than id.
func (a *Assistant) related(id string, ids []string) []Ref {
	var out []Ref
	for _, r := range ids {
		if r == id || r == "" || len(out) == 3 {
			continue
		}
		out = append(out, Ref{ID: r, Question: a.entries[r].Question})
	}
	return out
}

// fill makes ans the answer of entry e: its text and its quotes with their
// sources.
func (a *Assistant) fill(ans *Answer, e knowledge.Entry) {
	ans.Kind = Answered
	ans.Entry = &Ref{ID: e.ID, Question: e.Question}
	ans.Text = e.Answer
	for _, c := range e.Citations {
		ans.Citations = append(ans.Citations, Citation{SourceID: c.Source, Source: a.titles[c.Source], Quote: c.Quote})
	}
}

// Show returns the answer of one entry, as if it had been asked.
func (a *Assistant) Show(id string) (Answer, bool) {
	e, ok := a.entries[id]
	if !ok {
		return Answer{}, false
	}
	ans := Answer{Advice: a.kb.Safety.Advice, Confidence: 1}
	a.fill(&ans, e)
	res, err := a.ix.Search(e.Question, index.Options{Top: 5})
	if err == nil {
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		ans.Related = a.related(id, ids)
	}
	return ans, true
}

// Suggest ranks entries for what has been typed so far (autocomplete): entries
// whose question contains the typed text first, then the search's best.
func (a *Assistant) Suggest(typed string, n int) []Ref {
	typed = strings.ToLower(truncate(Normalize(typed), 200))
	var out []Ref
	seen := map[string]bool{}
	add := func(id string) {
		if len(out) < n && !seen[id] {
			seen[id] = true
			out = append(out, Ref{ID: id, Question: a.entries[id].Question})
		}
	}
	for _, e := range a.kb.Entries {
		if typed == "" || strings.Contains(strings.ToLower(e.Question), typed) || strings.HasPrefix(e.ID, typed) {
			add(e.ID)
		}
	}
	if typed != "" {
		corrected, _ := a.ix.Correct(typed)
		if res, err := a.ix.Search(corrected, index.Options{Top: n}); err == nil {
			for _, h := range res.Hits {
				add(h.ID)
			}
		}
	}
	return out
}

// Topics lists every entry.
func (a *Assistant) Topics() []Ref {
	out := make([]Ref, len(a.kb.Entries))
	for i, e := range a.kb.Entries {
		out[i] = Ref{ID: e.ID, Question: e.Question}
	}
	return out
}
