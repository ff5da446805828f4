package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxQuestion is how much of a message is read, in characters. Red flags are
// looked for in all of it; the FAQ search reads the last MaxSearch, where a
// long message usually puts its question.
const (
	MaxQuestion = 8000
	MaxSearch   = 1000
)

// Normalize makes user text safe and comparable: Unicode NFKC, zero-width
// and control characters removed, typographic apostrophes and quotes made
// plain, white space collapsed, and the length capped at MaxQuestion.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	if len(s) > 4*MaxQuestion {
		s = s[:4*MaxQuestion]
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space, n := false, 0
	for _, r := range s {
		switch r {
		case '\u2018', '\u2019', '\u201b', '`', '´':
			r = '\''
		case '\u201c', '\u201d', '\u201f':
			r = '"'
		}
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.Is(unicode.Cf, r), unicode.IsControl(r), r == utf8.RuneError:
			continue // zero-width, bidi and control characters
		}
		need := 1
		if space && b.Len() > 0 {
			need = 2
		}
		if n+need > MaxQuestion {
			break
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
			n++
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// tail returns at most the last n runes of s, starting at a word boundary
// when one is near: in a long message the question usually comes last.
func tail(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	t := string(r[len(r)-n:])
	if i := strings.IndexByte(t, ' '); i >= 0 && i < len(t)/4 {
		return t[i+1:]
	}
	return t
}

// truncate returns at most n runes of s, cut at a word boundary when one is near.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > len(string(r))*3/4 {
		return string(r)[:i]
	}
	return string(r)
}
