package store

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// Similar is the token-set Jaccard similarity at or above which two
// unanswered questions are counted as one: "how long does recovery take" and
// "how long is the recovery?" share 2 of 3 words (0.67) and merge.
const Similar = 0.6

// stopWords carry no topic: dropped before grouping.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about after all also am an and any are as at be been before being
		but by can could did do does doing for from get got had has have having he her hi hello hey him his
		how i i'm if in into is it its just many me might much my no not of on or our please she should so some
		than thank thanks that the their them then there these they this those to too us was we were what
		when where which who whom why will with would you your yours`) {
		stopWords[w] = true
	}
}

// placeholders removes Redact's placeholders: they say nothing of the topic.
var placeholders = strings.NewReplacer(mentionMark, " ", emailMark, " ", linkMark, " ", phoneMark, " ", idMark, " ", numberMark, " ")

// groupKey is the normalised form of a (redacted) question: its words lower
// cased, stop words and placeholders dropped, stemmed, deduplicated and
// sorted. Questions with the same key are the same question.
func groupKey(text string) string {
	return strings.Join(tokens(text), " ")
}

func tokens(text string) []string {
	text = placeholders.Replace(strings.ToLower(strings.ReplaceAll(text, "’", "'")))
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '\''
	})
	var out []string
	for _, w := range words {
		w = strings.TrimSuffix(strings.Trim(w, "'"), "'s")
		if w == "" || stopWords[w] {
			continue
		}
		env := snowballstem.NewEnv(w)
		english.Stem(env)
		out = append(out, env.Current())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted, deduplicated token lists; two
// empty lists are the same (1).
func jaccard(a, b []string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch c := strings.Compare(a[i], b[j]); {
		case c == 0:
			inter++
			i++
			j++
		case c < 0:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// row is one unanswered question as read for grouping.
type row struct {
	id   int64
	kind Kind
	text string
	key  string
	at   int64
}

// cluster merges rows into groups: rows with the same key first, then each
// key, most frequent first, joins the group whose leading key it is most
// similar to (at least Similar), or starts its own. Comparing with the
// leading key, not with every member, keeps a group from drifting by chains
// of small steps. The order is deterministic: count, then latest, then key.
func cluster(rows []row) []Group {
	type keyed struct {
		key    string
		tokens []string
		rows   []row
	}
	byKey := map[string]*keyed{}
	var keys []*keyed
	for _, r := range rows {
		k := byKey[r.key]
		if k == nil {
			k = &keyed{key: r.key, tokens: strings.Fields(r.key)}
			byKey[r.key] = k
			keys = append(keys, k)
		}
		k.rows = append(k.rows, r)
	}
	slices.SortFunc(keys, func(a, b *keyed) int {
		return cmp.Or(cmp.Compare(len(b.rows), len(a.rows)), strings.Compare(a.key, b.key))
	})
	type group struct {
		lead *keyed
		rows []row
	}
	var groups []*group
	for _, k := range keys {
		var best *group
		bestSim := 0.0
		for _, g := range groups {
			if sim := jaccard(k.tokens, g.lead.tokens); sim >= Similar && sim > bestSim {
				best, bestSim = g, sim
			}
		}
		if best == nil {
			best = &group{lead: k}
			groups = append(groups, best)
		}
		best.rows = append(best.rows, k.rows...)
	}
	out := make([]Group, 0, len(groups))
	for _, g := range groups {
		out = append(out, summarize(g.lead.key, g.rows))
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.Last.Compare(a.Last), strings.Compare(a.Key, b.Key))
	})
	return out
}

// summarize makes the Group of rows: the example is the most common text
// (on a tie, the shortest, then the first in byte order).
func summarize(key string, rows []row) Group {
	g := Group{Key: key, Count: len(rows)}
	texts := map[string]int{}
	first, last := rows[0].at, rows[0].at
	for _, r := range rows {
		g.IDs = append(g.IDs, r.id)
		texts[r.text]++
		switch r.kind {
		case NoMatch:
			g.NoMatch++
		case OffTopic:
			g.OffTopic++
		}
		first, last = min(first, r.at), max(last, r.at)
	}
	slices.Sort(g.IDs)
	bestN := 0
	for t, n := range texts {
		if n > bestN || n == bestN && (len(t) < len(g.Example) || len(t) == len(g.Example) && t < g.Example) {
			g.Example, bestN = t, n
		}
	}
	g.First, g.Last = unixTime(first), unixTime(last)
	return g
}
