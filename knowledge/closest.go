package knowledge

import (
	"strconv"
	"strings"
	"unicode"
)

// This file finds, for a quote that is not verbatim in its source, the
// passage of the source it was most likely copied from and where the two
// differ, word by word, so a moderator sees what to fix.

// word is a word of a source as the verbatim check compares it, with the
// line of the source file it is on.
type word struct {
	text string
	line int
}

// sourceWords splits a source text into words, as Normalize separates them;
// first is the file line the text starts on.
func sourceWords(text string, first int) []word {
	var out []word
	for i, l := range strings.Split(text, "\n") {
		for _, w := range strings.Fields(Normalize(l)) {
			out = append(out, word{w, first + i})
		}
	}
	return out
}

// nearestPassage describes the passage of src closest to quote and their
// first difference, or "" when no passage is close enough to be the one.
func nearestPassage(src []word, quote, file string) string {
	q := strings.Fields(Normalize(quote))
	if len(q) == 0 || len(src) == 0 {
		return ""
	}
	ops, dist := align(q, src)
	if dist*3 > len(q)*2 {
		return "" // more than two words in three differ: not a copy of any passage
	}
	// The first run of differences, and the source words around it.
	i := 0
	for i < len(ops) && ops[i].kind == same {
		i++
	}
	if i == len(ops) {
		return ""
	}
	j := i
	var qRun, sRun []string
	for j < len(ops) && ops[j].kind != same {
		if ops[j].q >= 0 {
			qRun = append(qRun, q[ops[j].q])
		}
		if ops[j].s >= 0 {
			sRun = append(sRun, src[ops[j].s].text)
		}
		j++
	}
	// Source positions of the run: from the op before it to the op after.
	lo, hi := -1, -1
	for k := i; k < j; k++ {
		if ops[k].s >= 0 {
			if lo < 0 {
				lo = ops[k].s
			}
			hi = ops[k].s + 1
		}
	}
	if lo < 0 { // the quote adds words here: the source position is between two words
		if i > 0 {
			lo = ops[i-1].s + 1
		} else {
			lo = ops[j].s
		}
		hi = lo
	}
	line := src[min(lo, len(src)-1)].line
	var b strings.Builder
	b.WriteString("; the closest passage, at " + at(file, line) + ", reads ")
	b.WriteString(strconv.Quote(excerpt(wordTexts(src), lo-4, hi+4)))
	switch {
	case len(sRun) == 0:
		b.WriteString(": the quote adds " + strconv.Quote(strings.Join(qRun, " ")) + " there")
	case len(qRun) == 0:
		b.WriteString(": the quote leaves out " + strconv.Quote(strings.Join(sRun, " ")))
	default:
		b.WriteString(": the quote has " + strconv.Quote(strings.Join(qRun, " ")) + " where the source has " + strconv.Quote(strings.Join(sRun, " ")))
	}
	return b.String()
}

// An alignment step: a word of the quote (q) against a word of the source
// (s); -1 where one side has no word.
type op struct {
	kind int
	q, s int
}

const (
	same = iota
	changed
	added   // a word of the quote that the source lacks
	dropped // a word of the source that the quote lacks
)

// align finds the passage of src that the quote q is the fewest word edits
// from (a substring of src, free to start and end anywhere: Sellers'
// approximate matching, on words), and the steps that turn one into the
// other. Ties go to the earliest passage.
func align(q []string, src []word) ([]op, int) {
	n, m := len(q), len(src)
	// d[i][j]: edits between q[:i] and the best passage ending at src[j-1].
	d := make([][]int, n+1)
	for i := range d {
		d[i] = make([]int, m+1)
		d[i][0] = i
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			cost := 1
			if q[i-1] == src[j-1].text {
				cost = 0
			}
			d[i][j] = min(d[i-1][j-1]+cost, d[i-1][j]+1, d[i][j-1]+1)
		}
	}
	end := 0
	for j := 1; j <= m; j++ {
		if d[n][j] < d[n][end] {
			end = j
		}
	}
	// Of equally close passages ending next to each other, the longest: a
	// changed last word beats a dropped one.
	for end < m && d[n][end+1] == d[n][end] {
		end++
	}
	var ops []op
	i, j := n, end
	for i > 0 {
		switch {
		case j > 0 && q[i-1] == src[j-1].text && d[i][j] == d[i-1][j-1]:
			ops = append(ops, op{same, i - 1, j - 1})
			i, j = i-1, j-1
		case j > 0 && d[i][j] == d[i-1][j-1]+1:
			ops = append(ops, op{changed, i - 1, j - 1})
			i, j = i-1, j-1
		case d[i][j] == d[i-1][j]+1:
			ops = append(ops, op{added, i - 1, -1})
			i--
		default:
			ops = append(ops, op{dropped, -1, j - 1})
			j--
		}
	}
	for a, b := 0, len(ops)-1; a < b; a, b = a+1, b-1 {
		ops[a], ops[b] = ops[b], ops[a]
	}
	return ops, d[n][end]
}

func wordTexts(ws []word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.text
	}
	return out
}

// excerpt is the words ws[i:j] (clamped), with "…" where it cuts.
func excerpt(ws []string, i, j int) string {
	i, j = max(0, i), min(len(ws), j)
	if i >= j {
		return ""
	}
	s := strings.Join(ws[i:j], " ")
	if i > 0 {
		s = "… " + s
	}
	if j < len(ws) {
		s += " …"
	}
	return strings.TrimFunc(s, unicode.IsSpace)
}
