// Package knowledge holds the curated content of avnbot: the source material,
// the FAQ entries that quote it, the synonym groups and the safety texts.
// Moderators own the files; this package loads and validates them and embeds
// the default set. It imports nothing else of ours.
package knowledge

import (
	"strings"
	"unicode"
)

// Base is one complete, validated set of knowledge.
type Base struct {
	Sources  []Source
	Entries  []Entry
	Synonyms []Synonyms
	Safety   Safety
	Settings Settings
	Tests    []Test // the golden questions of TestsFile, if any
}

// Source is a piece of source material, kept verbatim.
type Source struct {
	ID    string
	Title string
	Text  string
	File  string

	line int // line in File where Text starts
}

// Entry is one curated FAQ entry.
type Entry struct {
	ID         string
	Question   string
	Alternates []string
	Tags       []string
	Citations  []Citation
	Reviewed   string // YYYY-MM-DD
	Answer     string // in our own words, Markdown
	File       string

	pos map[string]int // field → line in File, for problems found later
}

// Citation is a verbatim quote from a source.
type Citation struct {
	Source string // Source.ID
	Quote  string
}

// Synonyms is a group of words and phrases that mean the same thing.
// The first term names the group.
type Synonyms []string

// Safety holds the texts added to replies and the red-flag triage.
type Safety struct {
	Advice        string    // added to every reply
	Urgent        string    // leads the reply when a red flag is raised
	Crisis        string    // leads the reply for thoughts of suicide or self-harm
	CrisisClosing string    // closes a crisis reply, in place of the advice
	EnglishOnly   string    // the reply to a message in another language
	RedFlags      []RedFlag // in order of priority (crisis flags always first)
	Cues          []Cue     // what lowers or raises an alarm

	matcher *matcher // compiled from concepts, cues and red flags
}

// RedFlag is a category of emergency and the signs that recognise it.
type RedFlag struct {
	ID       string
	Category string
	Crisis   bool     // crisis guidance instead of urgent guidance
	Signs    []string // as written in safety.yaml (see README: For moderators)
	Line     int      // of the flag in safety.yaml

	signLines []int
}

// Cue is a set of phrasings that lower (Weight < 0) or raise (Weight > 0)
// the alarm of a sign near them.
type Cue struct {
	Name    string
	Weight  int
	Carries bool // also holds for the sentences after it, until one speaks in the present
	Crisis  bool // lowers crisis signs too (the default)
	// Topic: lowers only a sign whose clause names no one and speaks in no
	// present ("chest pain on the MRI"), not a report ("I'm wheezing after
	// the dye for the scan").
	Topic bool
	// After: also holds from a later clause of the sign's sentence, an
	// outcome told after the event ("I took a double dose by mistake last
	// month, no problems").
	After bool
	// Negates: a negation ("no", "isn't", "never"): it lowers a sign only
	// when it stands before a part of it, reaching over the words of the
	// concept negation-passes ("no fever", "never had a seizure", "isn't
	// sudden or severe"), and never when it is a word of the sign itself
	// ("not breathing").
	Negates bool
	// Timeless: a raising cue that tells no time ("by accident",
	// "ambulance"): it does not raise a sign a time frame puts in the past
	// ("back in March I took a double dose by accident").
	Timeless bool
	// Answers: a lowering cue that answers a question: it holds only for a
	// sign whose sentence asks, said as the next sentence ("Chest pain?
	// No."), and never for a crisis sign.
	Answers bool
	Phrases []string

	lines []int
}

// Phrasings returns the question followed by the alternates.
func (e Entry) Phrasings() []string {
	return append([]string{e.Question}, e.Alternates...)
}

// Normalize folds the differences a verbatim comparison tolerates: typographic
// quote marks, bullets and runs of white space.
func Normalize(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch r {
		case '\u2018', '\u2019', '\u201b', '\u2032':
			r = '\''
		case '\u201c', '\u201d', '\u201f', '\u2033':
			r = '"'
		case '\u2022':
			r = ' '
		}
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
