package knowledge

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing a moderator must fix, located as precisely as known.
type Problem struct {
	File   string `json:"file"`             // path inside the knowledge directory
	Line   int    `json:"line,omitempty"`   // 1-based; 0 when the whole file is meant
	Column int    `json:"column,omitempty"` // 1-based; 0 when not known
	Field  string `json:"field,omitempty"`  // front matter field, e.g. "citations[1].quote"
	Msg    string `json:"message"`          // what is wrong and how to fix it
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in a knowledge directory. Load returns it
// as its error so that a moderator sees all of them at once.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s) in the knowledge files:\n%s", len(ps), strings.Join(lines, "\n"))
}

func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
	return ps
}

// report collects problems for one file.
type report struct {
	file     string
	offset   int // lines before the YAML starts
	problems *Problems
}

func (r report) add(line int, field, format string, args ...any) {
	r.addAt(line, 0, field, format, args...)
}

// addAt is add with a column.
func (r report) addAt(line, col int, field, format string, args ...any) {
	if line > 0 {
		line += r.offset
	}
	*r.problems = append(*r.problems, Problem{File: r.file, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
}
