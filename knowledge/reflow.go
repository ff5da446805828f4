package knowledge

import (
	"strings"
	"unicode"
)

// reflow undoes the line breaks that moderators put inside paragraphs to
// keep the source files narrow, so that every transport (Discord on a phone,
// a terminal of any width) wraps the text itself. What Markdown gives a
// meaning to is kept: paragraphs (blank lines, collapsed to one), each list
// item, quote line, heading and table row on its own line, hard breaks
// (two trailing spaces or a backslash, kept) and fenced code blocks,
// verbatim.
func reflow(md string) string {
	var out []string  // lines of the result
	joinable := false // the last line of out is paragraph text that the next may continue
	fence := ""       // the fence of the code block we are in, or ""
	inList := false   // the last line of out is a list item
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			out = append(out, line)
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		switch {
		case trimmed == "":
			if len(out) > 0 && out[len(out)-1] != "" {
				out = append(out, "")
			}
			joinable, inList = false, false
			continue
		case strings.HasPrefix(trimmed, "```"), strings.HasPrefix(trimmed, "~~~"):
			fence = trimmed[:3]
			out = append(out, line)
			joinable = false
			continue
		}
		brk := hardBreak(line)
		text := line // a hard break keeps its marker
		if !brk {
			text = strings.TrimRightFunc(line, unicode.IsSpace)
		}
		// As in CommonMark, a numbered item interrupts a paragraph only when
		// it is number 1 ("in\n2026. It" is one sentence).
		interrupts := startsBlockLine(trimmed) && (!numbered(trimmed) || inList || strings.HasPrefix(trimmed, "1"))
		if joinable && !interrupts {
			out[len(out)-1] += " " + strings.TrimLeftFunc(text, unicode.IsSpace)
		} else {
			out = append(out, text)
			inList = startsBlockLine(trimmed) && (numbered(trimmed) || strings.IndexAny(trimmed[:1], "-*+") == 0)
		}
		// A list item or quote line takes lazy continuation lines like a
		// paragraph; a heading, a table row or a hard break ends its line.
		joinable = !brk && !strings.HasPrefix(trimmed, "#") && !strings.HasPrefix(trimmed, "|") && !rule(trimmed)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// startsBlockLine reports whether a (trimmed) line begins something that
// keeps its own line: a list item, a quote line, a heading, a table row or a
// thematic break.
func startsBlockLine(s string) bool {
	switch {
	case strings.HasPrefix(s, "- "), strings.HasPrefix(s, "* "), strings.HasPrefix(s, "+ "),
		s == "-", s == "*", s == "+",
		strings.HasPrefix(s, ">"), strings.HasPrefix(s, "#"), strings.HasPrefix(s, "|"),
		rule(s):
		return true
	}
	return numbered(s)
}

// numbered reports whether a (trimmed) line starts an ordered list item.
func numbered(s string) bool {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') && (i+1 == len(s) || s[i+1] == ' ')
}

// hardBreak reports whether a line ends in a Markdown hard line break.
func hardBreak(line string) bool {
	return strings.HasSuffix(line, "  ") && strings.TrimSpace(line) != "" || strings.HasSuffix(strings.TrimRightFunc(line, unicode.IsSpace), "\\")
}

// rule reports whether a (trimmed) line is a thematic break.
func rule(s string) bool { return s == "---" || s == "***" || s == "___" }
