package knowledge

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// TestsFile holds the golden questions: what moderators expect the assistant
// to do with questions patients ask. It is optional.
const TestsFile = "tests.yaml"

// What a golden question may expect besides an entry id.
const (
	ExpectNone   = "none"   // no entry answers: the FAQ does not cover it
	ExpectUrgent = "urgent" // a red flag: urgent (or crisis) guidance leads the reply
)

// Test is one golden question of TestsFile.
type Test struct {
	Question string
	Expect   string // an entry id, ExpectNone or ExpectUrgent
	Line     int    // of the question in TestsFile
}

// loadTests reads TestsFile when there is one: a list of items, each with a
// question and what it expects.
func loadTests(fsys fs.FS, ps *Problems) []Test {
	r := report{file: TestsFile, problems: ps}
	data, err := fs.ReadFile(fsys, TestsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		r.add(0, "", "cannot read the file: %s", errText(err))
		return nil
	}
	if strings.TrimSpace(stripComments(string(data))) == "" {
		return nil // only comments: no tests yet
	}
	root := parseYAML(r, data)
	if root == nil {
		return nil
	}
	if root.Kind != yaml.SequenceNode {
		r.add(root.Line, "", "expected a list of tests, each starting with \"- question: ...\" followed by \"  expect: ...\"")
		return nil
	}
	var out []Test
	seen := map[string]int{} // folded question → line
	for i, n := range root.Content {
		path := "[" + strconv.Itoa(i) + "]"
		m := fields(r, n, path, "question", "expect")
		if n.Kind != yaml.MappingNode {
			continue // fields reported it
		}
		q, ql := text(r, m, "question", path, true, n.Line)
		x, xl := text(r, m, "expect", path, true, n.Line)
		if x != "" && x != ExpectNone && x != ExpectUrgent && !idPattern.MatchString(x) {
			r.add(xl, path+".expect", "%q is neither an entry id nor %q nor %q; write the id of the entry that should answer (the file name without .md), %q when the FAQ should not answer, or %q for an emergency",
				x, ExpectNone, ExpectUrgent, ExpectNone, ExpectUrgent)
			x = ""
		}
		if q != "" {
			key := fold(q)
			if prev, ok := seen[key]; ok {
				r.add(ql, path+".question", "%q is already tested on line %d; keep one", q, prev)
				continue
			}
			seen[key] = ql
		}
		if q != "" && x != "" {
			out = append(out, Test{Question: q, Expect: x, Line: ql})
		}
	}
	return out
}

// validateTests checks that every test expecting an entry names one that exists.
func validateTests(b *Base, ps *Problems) {
	ids := map[string]bool{}
	for _, e := range b.Entries {
		ids[e.ID] = true
	}
	for _, t := range b.Tests {
		if t.Expect == ExpectNone || t.Expect == ExpectUrgent || ids[t.Expect] {
			continue
		}
		msg := "unknown entry " + strconv.Quote(t.Expect)
		var names []string
		for _, e := range b.Entries {
			names = append(names, e.ID)
		}
		if s := closest(t.Expect, names); s != "" {
			msg += "; did you mean " + strconv.Quote(s) + "?"
		} else {
			msg += "; use the id of an entry in " + FAQDir + "/, " + strconv.Quote(ExpectNone) + " or " + strconv.Quote(ExpectUrgent)
		}
		*ps = append(*ps, Problem{File: TestsFile, Line: t.Line, Field: "expect", Msg: msg})
	}
}

// stripComments drops YAML comment lines, so that a file of comments alone
// counts as empty.
func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
