package bot

import (
	"maps"
	"regexp"
	"strings"
	"unicode"
)

// A message is not always one question. People greet, thank, tell their
// story and then ask, or ask two things at once. questions finds the
// questions in a message; the assistant searches each and the whole.

// noise is what the search should not see: Discord mentions, channel and
// role references, custom emoji, URLs, @everyone and @here.
var noise = regexp.MustCompile(`<a?:\w+:\d+>|<[@#][!&]?\d+>|https?://\S+|@(?:everyone|here)\b`)

// clean removes noise, Markdown marks and emoji, keeping words, digits and
// the punctuation that ends or splits a sentence.
func clean(s string) string {
	if strings.ContainsAny(s, "<@") || strings.Contains(s, "http") { // what noise can match
		s = noise.ReplaceAllString(s, " ")
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsSpace(r), strings.ContainsRune(".,;:!?'-/", r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ') // Markdown (* _ ~ ` > # |), brackets, emoji, symbols
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// question is one piece of a message the assistant may answer.
type question struct {
	text  string
	asks  bool // phrased as a question: a question mark, or a question word first
	whole bool // the whole message
}

// sentenceEnd ends a sentence; clauseBreak may start a new question inside
// one ("how long is a session and how many will I need").
var (
	sentenceEnd = regexp.MustCompile(`[.!?;]+(?:\s+|$)`)
	clauseBreak = regexp.MustCompile(`\s*(?:[,:]|\s-+\s|\band\b|\bbut\b|\bor\b|\balso\b|\bplus\b)\s*`)
)

// openers start a question in English: question words and the auxiliaries
// of a yes/no question. This is grammar, the same for any FAQ.
var openers = map[string]bool{
	"what": true, "whats": true, "what's": true, "how": true, "hows": true, "how's": true, "why": true,
	"when": true, "where": true, "who": true, "whom": true, "whose": true, "which": true,
	"can": true, "could": true, "will": true, "would": true, "should": true, "shall": true,
	"may": true, "might": true, "must": true, "is": true, "isn't": true, "are": true, "aren't": true,
	"was": true, "were": true, "do": true, "does": true, "doesn't": true, "did": true, "didn't": true,
	"am": true, "have": true, "has": true, "had": true, "any": true, "tell": true, "explain": true,
}

// leaders may come before a question's first word: conjunctions, and the
// greetings and courtesies people wrap a question in ("hello, what is...",
// "...please? thanks"). They are the conventions of a chat, the same for any
// FAQ, and say nothing of what is asked.
var leaders = func() map[string]bool {
	m := map[string]bool{"and": true, "but": true, "so": true, "also": true, "plus": true, "then": true, "or": true,
		"ok": true, "okay": true}
	maps.Copy(m, courtesies)
	return m
}()

// courtesies are the greetings and thanks of a chat.
var courtesies = map[string]bool{"please": true, "pls": true, "plz": true,
	"hi": true, "hello": true, "hey": true, "hiya": true, "heya": true, "howdy": true, "greetings": true,
	"thanks": true, "thank": true, "thx": true, "ty": true, "cheers": true, "ta": true}

// trailers may come after a question's last word: courtesies.
var trailers = map[string]bool{"please": true, "pls": true, "plz": true, "thanks": true, "thx": true, "ty": true, "cheers": true, "ta": true}

// courteous reports whether a cleaned message opens with a greeting or
// thanks: asking nothing, it is chat ("thanks so much, that helped!").
func courteous(msg string) bool {
	w, _, _ := strings.Cut(msg, " ")
	return courtesies[strings.ToLower(strings.Trim(w, ".,;:!?-/"))]
}

// firstWord returns the first word of s in lower case, past any leaders.
func firstWord(s string) string {
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Trim(w, ".,;:!?-/")
		if !leaders[w] {
			return w
		}
	}
	return ""
}

// whWords start a question inside a sentence ("so I was wondering how
// long it takes").
var whWords = map[string]bool{"what": true, "how": true, "why": true, "when": true, "where": true, "who": true, "which": true}

// embedded returns the question that starts inside s at its first question
// word, when words come before it, or "".
func embedded(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		if i >= 2 && whWords[strings.ToLower(strings.Trim(w, ".,;:!?-/'"))] {
			return strings.Join(ws[i:], " ")
		}
	}
	return ""
}

// dropLeaders removes the leaders at the start of s ("and can I...",
// "hello what is...") and the courtesies at its end ("...please").
func dropLeaders(s string) string {
	for {
		w, rest, _ := strings.Cut(s, " ")
		w = strings.ToLower(strings.Trim(w, ".,;:!?-/"))
		if !leaders[w] {
			break
		}
		if w == "thank" { // "thank you"
			if you, after, _ := strings.Cut(rest, " "); strings.ToLower(strings.Trim(you, ".,;:!?-/")) == "you" {
				rest = after
			}
		}
		if rest == "" {
			return ""
		}
		s = rest
	}
	for {
		i := strings.LastIndexByte(s, ' ')
		if i < 0 {
			return s
		}
		w := s[i+1:]
		mark := w[len(strings.TrimRight(w, ".,;:!?")):] // keep the question mark
		if !trailers[strings.ToLower(strings.Trim(w, ".,;:!?-/"))] {
			return s
		}
		s = strings.TrimRight(s[:i], " ,;:-") + mark
	}
}

// maxQuestions is the most pieces of one message searched apart: the last
// ones, where a long message usually asks.
const maxQuestions = 8

// questions returns the whole message and the questions in it (cleaned).
func questions(msg string) []question {
	msg = clean(msg)
	if msg == "" {
		return nil
	}
	out := []question{{text: msg, whole: true, asks: strings.HasSuffix(msg, "?") || openers[firstWord(msg)]}}
	var parts []question
	var said []string // the sentences without the courtesies around them
	ends := sentenceEnd.FindAllStringIndex(msg, -1)
	start := 0
	for k := 0; k <= len(ends); k++ {
		end, next := len(msg), len(msg)
		if k < len(ends) {
			end, next = ends[k][0], ends[k][1]
		}
		s := strings.TrimSpace(msg[start:end])
		asked := end < len(msg) && strings.Contains(msg[end:next], "?")
		if d := dropLeaders(s); d != "" {
			said = append(said, d+strings.TrimSpace(msg[end:next]))
		}
		start = next
		if s == "" {
			continue
		}
		// clauses that open like a question start a question of their own
		cuts := clauseBreak.FindAllStringIndex(s, -1)
		from := 0
		for _, c := range cuts {
			if openers[firstWord(s[c[1]:])] && openers[firstWord(s[from:c[0]])] {
				parts = append(parts, question{text: strings.TrimSpace(s[from:c[0]]), asks: true})
				from = c[1]
			} else if openers[firstWord(s[c[1]:])] && from == 0 && !openers[firstWord(s)] {
				from = c[1] // "hi all, does it hurt": the greeting goes
			}
		}
		rest := strings.TrimSpace(s[from:])
		parts = append(parts, question{text: rest, asks: asked || openers[firstWord(rest)]})
		if q := embedded(rest); q != "" {
			// "I was wondering how long a session is"
			parts = append(parts, question{text: q, asks: true})
		}
		if start >= len(msg) {
			break
		}
	}
	if len(parts) > maxQuestions {
		parts = parts[len(parts)-maxQuestions:]
	}
	// the whole message, as said: "hello! what is AVN? thx" is not a message
	// mostly about words the FAQ does not know
	if w := strings.Join(said, " "); w != "" {
		out[0].text = w
		out[0].asks = out[0].asks || strings.HasSuffix(w, "?") || openers[firstWord(w)]
	}
	for _, p := range parts {
		p.text = dropLeaders(p.text)
		if p.text != "" && p.text != strings.TrimRight(out[0].text, ".!?;, ") {
			out = append(out, p)
		}
	}
	return out
}
