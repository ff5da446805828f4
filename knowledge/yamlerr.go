package knowledge

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
	yaml4 "go.yaml.in/yaml/v4"
)

// This file turns YAML syntax errors into problems a moderator can act on:
// at the line and column where the fix goes, in words about the file, not
// the parser.
//
// yaml.v3, which the loader reads nodes with, reports a syntax error at the
// line where the enclosing block starts, often lines before the mistake.
// Its successor yaml/v4 (the same parser) reports both positions, so it
// locates the errors; the nodes stay v3's.

// syntaxError locates and explains err, the error yaml.v3 gave for src;
// offset is the number of lines before src in its file, for the messages.
func syntaxError(src []byte, err error, offset int) (line, col int, msg string) {
	var n yaml4.Node
	var le *yaml4.LoadError
	if e4 := yaml4.Unmarshal(src, &n); !errors.As(e4, &le) {
		// v4 read it, or failed differently: fall back to v3's report.
		text := strings.TrimPrefix(err.Error(), "yaml: ")
		if _, after, ok := strings.Cut(text, ": "); ok && strings.HasPrefix(text, "line ") {
			fmt.Sscanf(text, "line %d", &line)
			text = after
		}
		return line, 0, "the YAML is malformed (" + text + "); check indentation, colons and quotes"
	}
	at, ctx := le.Mark, le.ContextMark
	lineText := func(l int) string {
		lines := strings.Split(string(src), "\n")
		if l < 1 || l > len(lines) {
			return ""
		}
		return strings.TrimSpace(lines[l-1])
	}
	switch m := le.Message; {
	case strings.Contains(m, "tab character"), strings.Contains(m, "cannot start any token") && strings.Contains(lineText(at.Line), "\t"):
		return at.Line, at.Column, "a tab character in the indentation; indent with spaces only"
	case strings.Contains(m, "did not find expected key"):
		return at.Line, at.Column, fmt.Sprintf("this line does not line up with the lines above it: a key must start in the same column as the other keys at its level (from line %d on), and a list item's \"- \" in the same column as the other items", ctx.Line+offset)
	case strings.Contains(m, "did not find expected '-' indicator"):
		return at.Line, at.Column, fmt.Sprintf("this line breaks the list that starts on line %d: start each item with \"- \" in the same column as the other items, or, if it belongs to the item above, line it up with that item's other keys", ctx.Line+offset)
	case strings.Contains(m, "mapping values are not allowed"):
		return at.Line, at.Column, "a \": \" in the middle of a value: if the text itself contains a colon, put the whole text in double quotes; if this line starts a new key, line it up with the keys above it"
	case strings.Contains(m, "could not find expected ':'"):
		return ctx.Line, ctx.Column, "this line has no \"key: value\" colon: add \": \" after the key, or, if it continues the text of the line above, indent it further or put that text in quotes"
	case strings.Contains(le.ContextMsg, "quoted scalar"):
		return ctx.Line, ctx.Column, "the text opened with a quote mark here is never closed: add the closing quote mark (inside double quotes, write \\\" for a quote mark in the text)"
	case strings.Contains(le.ContextMsg, "flow sequence"):
		return ctx.Line, ctx.Column, "the list opened with \"[\" here is not closed: end it with \"]\" on the same line, and separate the items with commas"
	case strings.Contains(le.ContextMsg, "flow mapping"):
		return ctx.Line, ctx.Column, "the \"{\" here is not closed: end it with \"}\", or put the text in quotes if it is not meant as a set of keys"
	case strings.Contains(m, "found character that cannot start any token"):
		return at.Line, at.Column, fmt.Sprintf("a value cannot start with %q: put the whole value in double quotes", firstRune(lineText(at.Line), at.Column))
	}
	return at.Line, at.Column, "the YAML is malformed (" + le.Message + "); check indentation, colons and quotes"
}

func firstRune(line string, col int) string {
	r := []rune(line)
	if col < 1 || col > len(r) {
		return "this character"
	}
	return string(r[col-1])
}

// checkJoinedItems reports the list items that YAML quietly joined with the
// lines after them. An item indented one column too far, or text whose next
// line is indented further than its "- ", does not start a new item: it
// becomes part of the item above ("- how long\n   - ESWT length" is the one
// item "how long - ESWT length"). No phrasing, tag, synonym or pattern runs
// over lines, so every plain (unquoted) list item that does is reported, at
// the line that was swallowed.
func checkJoinedItems(r report, n *yaml.Node, lines []string) {
	if n == nil {
		return
	}
	if n.Kind == yaml.SequenceNode && n.Style&yaml.FlowStyle == 0 {
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode || item.Style != 0 || item.Line < 1 {
				continue
			}
			// Continuation lines are the non-blank, non-comment lines
			// after the item's that are indented past its "- ".
			for l := item.Line + 1; l <= len(lines); l++ {
				text := strings.TrimSpace(lines[l-1])
				indent := len(lines[l-1]) - len(strings.TrimLeft(lines[l-1], " "))
				if text == "" || strings.HasPrefix(text, "#") || indent < n.Column {
					break
				}
				if strings.HasPrefix(text, "- ") || text == "-" {
					r.addAt(l, indent+1, "", "this \"- \" is indented further than the list item on line %d, so YAML joined the two into one item (%q); start it in column %d like the other items", item.Line+r.offset, clipText(item.Value, 60), n.Column)
				} else {
					r.addAt(l, indent+1, "", "this line continues the list item on line %d, so YAML joined them into one item (%q); if it is an item of its own, start it with \"- \" in column %d like the others, otherwise join the two lines", item.Line+r.offset, clipText(item.Value, 60), n.Column)
				}
				break
			}
		}
	}
	for _, c := range n.Content {
		checkJoinedItems(r, c, lines)
	}
}

// clipText shortens s to about n characters at a word boundary.
func clipText(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + " …"
}
