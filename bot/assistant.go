package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/avnbot/avnbot/index"
	"github.com/avnbot/avnbot/knowledge"
)

// The pipeline, in the order Ask runs it:
//
//	normalize.go  text in, clean text out
//	triage.go     red flags, first, before anything else (triage_model.go:
//	              the learned backstop for what the rules miss)
//	questions.go  a message → the questions in it
//	index         retrieve and score candidates
//	features.go   (question, candidate) → features
//	model.go      the calibrated decision, trained from the knowledge (train.go)
//	answer.go     an entry becomes an Answer (text, quotes, advice, related)
//
// This file wires the stages; it is the only place that knows their order.

// noMatchText is the reply when nothing curated answers: the topic is the
// knowledge's (settings.yaml), if it names one.
func noMatchText(topic string) string {
	if topic != "" {
		topic = " about " + topic
	}
	return "I don't have a curated answer for that, and I won't guess. " +
		"This FAQ only covers what its source material says" + topic + ". The closest topics it has are below."
}

// offTopicText is the reply to a message that is not a question for this
// FAQ: what it is for, and two of its questions as examples.
func offTopicText(topic string, entries []knowledge.Entry) string {
	s := "I'm an FAQ assistant"
	if topic != "" {
		s += " for " + topic
	}
	s += ". Ask me a question"
	if len(entries) >= 2 {
		s += fmt.Sprintf(" such as %q or %q", entries[0].Question, entries[1].Question)
	}
	return s + ", or browse the topics with /faq."
}

// subjectsTop is how many of the whole message's closest entries are
// looked at for its subjects.
const subjectsTop = 30

// maxAnswers is the most questions of one message answered in one reply.
const maxAnswers = 2

// relatedFloor is the least probability at which the closest entries are
// offered as related topics when the assistant does not answer; below it,
// the reply says what the assistant is for instead.
const relatedFloor = 0.1

// Assistant answers questions from one set of knowledge. It is safe for
// concurrent use.
type Assistant struct {
	kb      *knowledge.Base
	ix      *index.Index
	model   *Model
	alarm   *alarmModel // triage's learned backstop
	entries map[string]knowledge.Entry
	titles  map[string]string // source id → title
}

// New indexes the knowledge, trains the decision on it and returns an
// assistant. target is the least probability of being right at which it
// answers; 0 takes the knowledge's setting, else DefaultTarget. Close it
// when done.
func New(kb *knowledge.Base, target float64) (*Assistant, error) {
	if target <= 0 {
		target = kb.Settings.Target
	}
	if target <= 0 {
		target = DefaultTarget
	}
	ix, err := index.Build(kb.Entries, kb.Synonyms)
	if err != nil {
		return nil, fmt.Errorf("build index: %w", err)
	}
	m, err := train(ix, kb.Entries, target)
	if err != nil {
		ix.Close()
		return nil, err
	}
	examples, err := readExamples(triageExamples)
	if err != nil {
		ix.Close()
		return nil, fmt.Errorf("triage_examples.jsonl: %w", err) // embedded: a build mistake
	}
	var phrasings []string
	for _, e := range kb.Entries {
		phrasings = append(phrasings, e.Phrasings()...)
	}
	alarm, err := trainAlarm(examples, phrasings)
	if err != nil {
		ix.Close()
		return nil, err
	}
	a := &Assistant{kb: kb, ix: ix, model: m, alarm: alarm, entries: map[string]knowledge.Entry{}, titles: map[string]string{}}
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

// Model is the trained decision, with its calibration.
func (a *Assistant) Model() *Model { return a.model }

// Candidate is a scored entry, for developers looking at a decision.
type Candidate struct {
	Ref
	Score       float64 // the search's ranking score
	Probability float64 // that it answers the question
	Features    Features
	Why         string   // the features that moved the probability most
	Missing     []string // words of the question the entry lacks
}

// Considered is one piece of a message the assistant searched.
type Considered struct {
	Text        string // the piece, cleaned
	Searched    string // after spelling correction
	Corrections []index.Correction
	Whole       bool // the whole message
	Asks        bool // phrased as a question
	// Topical: its top candidate holds a word of it that names something
	// (not only "what do I do"); otherwise it is answered only with the
	// subject of the whole message (see pick).
	Topical    bool
	Candidates []Candidate
	// subjects are the entries that hold a word of it that names
	// something: what it may be about.
	subjects []string

	Answered bool // its top candidate is in the reply
}

// Trace records how a message was decided, for --top and --explain: every
// piece searched, with its candidates.
type Trace struct {
	Flags []knowledge.Flag // the red flags triage raised, if any
	// Withdrawn are the weak red flags the learned backstop withdrew from
	// a message that reads as ordinary.
	Withdrawn []knowledge.Flag
	Pieces    []Considered
	Target    float64 // the least probability that answers
}

// Ask answers one message.
func (a *Assistant) Ask(message string) (Answer, error) {
	ans, _, err := a.decide(message, 3, false)
	return ans, err
}

// Explain answers like Ask and also returns how: every piece of the message
// searched, with its top candidates, their probabilities and why.
func (a *Assistant) Explain(message string, top int) (Answer, Trace, error) {
	return a.decide(message, top, true)
}

// decide is the pipeline; why fills in each candidate's Why.
func (a *Assistant) decide(message string, top int, why bool) (Answer, Trace, error) {
	q := Normalize(message)
	ans := Answer{Advice: a.kb.Safety.Advice}
	tr := Trace{Target: a.model.Target}
	tri := a.triage(q)
	tr.Flags = tri.Flags
	tr.Withdrawn = tri.withdrawn
	switch {
	case tri.Crisis():
		// Crisis guidance only: a person in crisis gets no FAQ content.
		f := tri.Flags[0]
		ans.Urgent, ans.Crisis, ans.Category = true, true, f.Category
		ans.Guidance, ans.Closing = a.kb.Safety.Crisis, a.kb.Safety.CrisisClosing
		ans.Kind = NoMatch // the guidance says it all
		return ans, tr, nil
	case tri.Urgent():
		ans.Urgent, ans.Category, ans.Guidance = true, tri.Flags[0].Category, a.kb.Safety.Urgent
		if !tri.asks {
			ans.Kind = NoMatch // the guidance says it all
			return ans, tr, nil
		}
		q = tri.rest // an FAQ answer only for the questions asked beside the emergency
	case tri.Foreign:
		ans.Kind, ans.Text = OffTopic, a.kb.Safety.EnglishOnly
		return ans, tr, nil
	}

	qs := questions(tail(q, MaxSearch))
	for _, qu := range qs {
		if !qu.whole && !qu.asks {
			continue // a line of the story: never answered alone, so not searched
		}
		c, err := a.consider(qu, top, why)
		if err != nil {
			return Answer{}, tr, err
		}
		tr.Pieces = append(tr.Pieces, c)
	}
	var picks []int
	talk := chat(q, tr.Pieces) // a greeting or thanks: the help text
	if !talk {
		picks = a.pick(tr.Pieces, ans.Urgent)
	}
	for _, i := range picks {
		tr.Pieces[i].Answered = true
		c := tr.Pieces[i].Candidates[0]
		if ans.Kind != Answered {
			a.fill(&ans, a.entries[c.ID])
			ans.Score, ans.Confidence = c.Score, c.Probability
			continue
		}
		var more Answer
		a.fill(&more, a.entries[c.ID])
		ans.More = append(ans.More, Part{Entry: *more.Entry, Text: more.Text, Citations: more.Citations, Confidence: c.Probability})
	}
	best := a.closest(tr.Pieces)
	switch {
	case ans.Kind == Answered:
		var skip []string
		skip = append(skip, ans.Entry.ID)
		for _, m := range ans.More {
			skip = append(skip, m.Entry.ID)
		}
		if best >= 0 {
			ans.Related = a.related(skip, tr.Pieces[best].Candidates)
		}
	case ans.Urgent:
		ans.Kind = NoMatch // the guidance says it all
	case best < 0 || tr.Pieces[best].Candidates[0].Probability < relatedFloor || talk:
		ans.Kind, ans.Text = OffTopic, offTopicText(a.kb.Settings.Topic, a.kb.Entries)
	default:
		ans.Kind, ans.Text = NoMatch, noMatchText(a.kb.Settings.Topic)
		ans.Related = a.related(nil, tr.Pieces[best].Candidates)
		ans.Score, ans.Confidence = tr.Pieces[best].Candidates[0].Score, tr.Pieces[best].Candidates[0].Probability
	}
	return ans, tr, nil
}

// consider searches one piece of a message, ranks its candidates and
// decides on the top one.
func (a *Assistant) consider(q question, top int, why bool) (Considered, error) {
	c := Considered{Text: q.text, Whole: q.whole, Asks: q.asks}
	n := max(top, trainTop)
	if q.whole {
		n = max(n, subjectsTop) // the subjects of the message, for its pieces
	}
	res, err := a.ix.Search(q.text, index.Options{Top: n})
	if err != nil {
		return c, fmt.Errorf("search: %w", err)
	}
	c.Searched, c.Corrections = res.Searched, res.Corrections
	for _, h := range res.Hits {
		for j, u := range res.Units {
			if h.InEntry[j] && u.Topical() {
				c.subjects = append(c.subjects, h.ID)
				break
			}
		}
	}
	// the ranker orders as many candidates as it learnt from
	res.Hits = res.Hits[:min(len(res.Hits), max(top, trainTop))]
	s := describe(res)
	order, z := a.model.rank(s.matches)
	c.Topical = len(order) > 0 && slices.Contains(c.subjects, res.Hits[order[0]].ID)
	if n := min(len(order), max(top, 1)); n > 0 {
		c.Candidates = make([]Candidate, 0, n)
	}
	for _, i := range order[:min(len(order), max(top, 1))] {
		h := res.Hits[i]
		f := a.model.features(s, order, z, i)
		cand := Candidate{Ref: Ref{ID: h.ID, Question: a.entries[h.ID].Question}, Score: h.Score,
			Probability: a.model.Prob(f), Features: f}
		if why {
			cand.Why = a.model.Why(f)
		}
		for j, u := range res.Units {
			if !h.InEntry[j] {
				cand.Missing = append(cand.Missing, u.Text)
			}
		}
		c.Candidates = append(c.Candidates, cand)
	}
	return c, nil
}

// pick chooses the pieces whose top candidates the reply answers: the
// questions of the message that reach the target, at most maxAnswers of
// them with different entries, most probable first; else the whole message
// when it reaches the target. A piece that is not phrased as a question
// (a greeting, a line of the story) is never answered alone, nor is a
// message or piece whose entry shares none of its words that name something
// ("..., what do I do?") unless it is a piece and its entry holds such a
// word of the whole message; below
// urgent guidance only a question is.
func (a *Assistant) pick(ps []Considered, urgent bool) []int {
	// A message, or a piece of one, that names nothing ("there", "...,
	// what should I do?") is answered only when it takes its subject from
	// the message: with an entry that holds a word of the message that names
	// something.
	agrees := func(i int) bool {
		return i > 0 && ps[0].Whole && slices.Contains(ps[0].subjects, ps[i].Candidates[0].ID)
	}
	good := func(i int) bool {
		return len(ps[i].Candidates) > 0 && ps[i].Candidates[0].Probability >= a.model.Target && (ps[i].Topical || agrees(i))
	}
	// A piece is not answered alone when most of the message is about
	// something the FAQ does not know: "I heard drug X works for Y. Where
	// can I get it?" does not ask where to get this FAQ's treatment.
	foreign := len(ps) > 0 && ps[0].Whole && len(ps[0].Candidates) > 0 && ps[0].Candidates[0].Features.Unknown > 0.5
	var asks []int
	for i, p := range ps {
		if !p.Whole && p.Asks && good(i) && !foreign {
			asks = append(asks, i)
		}
	}
	slices.SortStableFunc(asks, func(x, y int) int {
		return cmp.Compare(ps[y].Candidates[0].Probability, ps[x].Candidates[0].Probability)
	})
	var out []int
	seen := map[string]bool{}
	for _, i := range asks {
		id := ps[i].Candidates[0].ID
		if !seen[id] && len(out) < maxAnswers {
			seen[id] = true
			out = append(out, i)
		}
	}
	if len(ps) > 0 && ps[0].Whole && good(0) && (!urgent || ps[0].Asks && len(ps) == 1) {
		whole := ps[0].Candidates[0]
		if len(out) == 0 || (len(out) == 1 && whole.Probability > ps[out[0]].Candidates[0].Probability) {
			out = []int{0}
		}
	}
	slices.Sort(out) // in the order asked
	return out
}

// chat reports whether the message is a greeting or thanks that asks
// nothing: it gets the help text, not topics.
func chat(message string, ps []Considered) bool {
	for _, p := range ps {
		if p.Asks {
			return false
		}
	}
	return courteous(clean(message))
}

// closest is the piece whose top candidate is most probable, or -1.
func (a *Assistant) closest(ps []Considered) int {
	best := -1
	for i, p := range ps {
		if len(p.Candidates) == 0 {
			continue
		}
		if best < 0 || p.Candidates[0].Probability > ps[best].Candidates[0].Probability {
			best = i
		}
	}
	return best
}

// related picks up to 3 entries from cs, skipping those in skip.
func (a *Assistant) related(skip []string, cs []Candidate) []Ref {
	var out []Ref
	for _, c := range cs {
		if len(out) == 3 {
			break
		}
		if !slices.Contains(skip, c.ID) {
			out = append(out, c.Ref)
		}
	}
	return out
}

// Show returns the answer of one entry, as if it had been asked.
func (a *Assistant) Show(id string) (Answer, bool) {
	e, ok := a.entries[id]
	if !ok {
		return Answer{}, false
	}
	ans := Answer{Advice: a.kb.Safety.Advice, Confidence: 1}
	a.fill(&ans, e)
	if res, err := a.ix.Search(clean(e.Question), index.Options{Top: 5}); err == nil {
		var cs []Candidate
		for _, h := range res.Hits {
			cs = append(cs, Candidate{Ref: Ref{ID: h.ID, Question: a.entries[h.ID].Question}})
		}
		ans.Related = a.related([]string{id}, cs)
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
	// the last word may still be being typed: "sess" is no typo of "sets"
	words := ""
	if i := strings.LastIndexAny(typed, " \t"); i >= 0 {
		words = clean(typed[:i])
	}
	if words != "" {
		if res, err := a.ix.Search(words, index.Options{Top: n}); err == nil {
			for _, h := range res.Hits {
				add(h.ID)
			}
		}
	}
	return out
}

// Topic is what the knowledge covers, in a few words ("" when it does not
// say).
func (a *Assistant) Topic() string { return a.kb.Settings.Topic }

// Topics lists every entry.
func (a *Assistant) Topics() []Ref {
	out := make([]Ref, len(a.kb.Entries))
	for i, e := range a.kb.Entries {
		out[i] = Ref{ID: e.ID, Question: e.Question}
	}
	return out
}
