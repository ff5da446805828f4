package main

import (
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/avnbot/avnbot/bot"
)

// style says how answers are written: with ANSI styles or not, and wrapped
// to a width or not. The zero style is plain text, unwrapped, for pipes.
type style struct {
	color bool
	width int // columns to wrap at; 0: no wrapping
}

var plainStyle = style{}

// ANSI select graphic rendition sequences.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrNoBold = "\x1b[22m"
	sgrDim    = "\x1b[2m"
	sgrItalic = "\x1b[3m"
	sgrRed    = "\x1b[1;31m"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalStyle is the style for a terminal of the given width: colour
// unless NO_COLOR is set.
func terminalStyle(cfg config, width int) style {
	if width <= 0 {
		width = 80
	}
	return style{color: !cfg.NoColor, width: width}
}

// outputStyle is the style for w: plain when it is not a terminal.
func outputStyle(cfg config, w io.Writer) style {
	if !isTerminal(w) {
		return plainStyle
	}
	width, _, _ := term.GetSize(int(w.(*os.File).Fd()))
	return terminalStyle(cfg, width)
}

// sgr wraps s in an ANSI style when colour is on.
func (st style) sgr(code, s string) string {
	if !st.color || s == "" {
		return s
	}
	return code + s + sgrReset
}

// writeText renders an answer for a person reading a terminal or a file.
func writeText(w io.Writer, a bot.Answer, st style) {
	// Guidance first; the red-flag category is never shown to the person.
	if a.Urgent {
		st.markdown(w, a.Guidance, sgrRed)
		if a.Kind == bot.Answered || a.Text != "" {
			io.WriteString(w, "\n")
		}
	}
	switch a.Kind {
	case bot.Answered:
		st.entry(w, *a.Entry, a.Text, a.Citations)
		for _, m := range a.More { // further questions of the same message
			io.WriteString(w, "\n")
			st.entry(w, m.Entry, m.Text, m.Citations)
		}
	default:
		if a.Text != "" {
			st.markdown(w, a.Text, "")
		}
	}
	if len(a.Related) > 0 {
		io.WriteString(w, "\n"+st.sgr(sgrBold, "Related:")+"\n")
		for _, r := range a.Related {
			st.paragraph(w, r.Question+" "+st.sgr(sgrDim, "("+r.ID+")"), "  - ", "    ")
		}
	}
	io.WriteString(w, "\n")
	st.paragraph(w, st.sgr(sgrDim, a.Advice), "", "") // every reply carries it
	if a.Crisis && a.Closing != "" {
		io.WriteString(w, "\n")
		st.markdown(w, a.Closing, "") // a crisis reply ends with its closing, as on Discord
	}
}

// entry writes one answered entry: its question, the answer and the quotes.
func (st style) entry(w io.Writer, e bot.Ref, text string, cits []bot.Citation) {
	st.paragraph(w, st.sgr(sgrBold, e.Question)+" "+st.sgr(sgrDim, "("+e.ID+")"), "", "")
	io.WriteString(w, "\n")
	st.markdown(w, text, "")
	for _, c := range cits {
		io.WriteString(w, "\n")
		st.paragraph(w, st.sgr(sgrItalic, "“"+c.Quote+"”"), "  │ ", "  │ ")
		st.paragraph(w, st.sgr(sgrDim, "— "+c.Source), "    ", "    ")
	}
}

// markdown writes the Markdown the FAQ uses: paragraphs (blank lines
// between), list items and quote lines, with **bold**. A line break inside a
// paragraph is a space. base is the style of the whole text ("" for none).
func (st style) markdown(w io.Writer, md, base string) {
	for i, block := range strings.Split(strings.TrimSpace(md), "\n\n") {
		if i > 0 {
			io.WriteString(w, "\n")
		}
		var text, first, rest, code string
		flush := func() {
			if text != "" {
				st.paragraph(w, st.inline(text, code), first, rest)
			}
			text, first, rest, code = "", "", "", base
		}
		flush()
		for _, line := range strings.Split(block, "\n") {
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, ">"):
				flush()
				text, first, rest = strings.TrimSpace(strings.TrimPrefix(line, ">")), "│ ", "│ "
				if code == "" {
					code = sgrItalic
				}
				flush() // a quote line keeps its break
				continue
			case strings.HasPrefix(line, "- "), strings.HasPrefix(line, "* "), strings.HasPrefix(line, "+ "):
				flush()
				text, first, rest = line[2:], "  • ", "    "
				continue
			case listNumber(line) > 0:
				flush()
				n := listNumber(line)
				text, first, rest = strings.TrimSpace(line[n:]), "  "+line[:n]+" ", strings.Repeat(" ", n+3)
				continue
			}
			if text != "" {
				text += " "
			}
			text += line
		}
		flush()
	}
}

// listNumber is the length of a leading "12." or "12)" list marker, or 0.
func listNumber(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i+1 >= len(s) || (s[i] != '.' && s[i] != ')') || s[i+1] != ' ' {
		return 0
	}
	return i + 1
}

// inline renders **bold** (and __bold__) in s, with base as the style of the
// rest; without colour the markers are dropped.
func (st style) inline(s, base string) string {
	var b strings.Builder
	if st.color && base != "" {
		b.WriteString(base)
	}
	bold := false
	for s != "" {
		i := strings.Index(s, "**")
		j := strings.Index(s, "__")
		if i < 0 || (j >= 0 && j < i) {
			i = j
		}
		if i < 0 || (!bold && !strings.Contains(s[i+2:], s[i:i+2])) {
			b.WriteString(s) // no marker, or an opening one that is never closed
			break
		}
		b.WriteString(s[:i])
		bold = !bold
		if st.color {
			if bold {
				b.WriteString(sgrBold)
			} else {
				b.WriteString(sgrNoBold)
			}
		}
		s = s[i+2:]
	}
	if st.color && (base != "" || bold) {
		b.WriteString(sgrReset)
	}
	return b.String()
}

// paragraph writes s as one paragraph, soft-wrapped at the style's width
// between words. first prefixes the first line and rest the others. ANSI
// sequences take no room, and the style in force carries over a line break.
func (st style) paragraph(w io.Writer, s, first, rest string) {
	var b strings.Builder
	b.WriteString(first)
	col := visible(first)
	open := "" // the styles in force, to restore after a line break
	for i, word := range strings.Fields(s) {
		n := visible(word)
		if i > 0 {
			if st.width > 0 && col+1+n > st.width && col > visible(rest) {
				if st.color && open != "" {
					b.WriteString(sgrReset)
				}
				b.WriteString("\n" + rest + open)
				col = visible(rest)
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(word)
		col += n
		open = styleAfter(open, word)
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// visible is the number of columns s takes: its characters less ANSI
// sequences.
func visible(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == '\x1b' {
			if j := strings.IndexByte(s[i:], 'm'); j > 0 {
				i += j + 1
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// styleAfter is the sequences still in force after s, starting from open.
func styleAfter(open, s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '\x1b' {
			continue
		}
		j := strings.IndexByte(s[i:], 'm')
		if j < 0 {
			break
		}
		switch seq := s[i : i+j+1]; seq {
		case sgrReset:
			open = ""
		case sgrNoBold:
			open = strings.ReplaceAll(open, sgrBold, "")
		default:
			open += seq
		}
		i += j
	}
	return open
}
