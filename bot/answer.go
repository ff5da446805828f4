// Package bot is the assistant: a question in, an Answer out. It triages red
// flags, searches the curated FAQ, decides whether an entry really answers the
// question, and attaches citations and the medical-assessment advice. It knows
// nothing of Discord, so the CLI, the tests and every transport share it.
package bot

import "github.com/avnbot/avnbot/knowledge"

// Kind says what sort of reply an Answer is.
type Kind string

const (
	// Answered: a curated entry answers the question.
	Answered Kind = "answered"
	// NoMatch: the question is on topic but no curated entry covers it; the
	// reply says so and offers the closest topics.
	NoMatch Kind = "no_match"
	// OffTopic: greetings, chit-chat, empty or unrelated text; the reply says
	// what the assistant can help with.
	OffTopic Kind = "off_topic"
)

// Ref names an FAQ entry.
type Ref struct {
	ID       string `json:"id"`
	Question string `json:"question"`
}

// Citation is a verbatim quote with the source it comes from.
type Citation struct {
	SourceID string `json:"source_id"`
	Source   string `json:"source"` // the source's title
	Quote    string `json:"quote"`
}

// Answer is everything a transport needs to reply.
type Answer struct {
	Kind       Kind
	Entry      *Ref       // the matched entry; nil unless Kind is Answered
	Score      float64    // the search score of the best match (0 when none)
	Confidence float64    // the probability that the entry answers the question, 0..1
	Text       string     // the entry's answer, or the abstain/help message
	Citations  []Citation // quotes the answer rests on; empty unless Answered
	Advice     string     // the medical-assessment advice, always set
	Urgent     bool       // a red flag matched: Guidance leads the reply
	Crisis     bool       // the red flag is about suicide or self-harm
	Category   string     // the red-flag category that matched
	Guidance   string     // urgent or crisis guidance when Urgent
	Closing    string     // closes a crisis reply in place of the advice (Advice is still set)
	Related    []Ref      // up to 3 other entries worth a look
	More       []Part     // answers to further questions of the same message
}

// Part is a further answer in the same reply, to a second question of the
// same message.
type Part struct {
	Entry      Ref
	Text       string
	Citations  []Citation
	Confidence float64
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
