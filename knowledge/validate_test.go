package knowledge

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

// base returns a copy of the embedded knowledge as files, to break in tests.
func baseFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(EmbeddedFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(EmbeddedFS(), p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const goodEntry = `---
id: test-entry
question: Is this a test question?
alternates:
  - a test phrasing nobody else uses
tags: [test]
citations:
  - source: avn-shockwave
    quote: "The required number of sessions varies depending on the patient."
reviewed: 2026-11-24
---
The material says the number of sessions varies.
`

func problemsOf(t *testing.T, m fstest.MapFS) Problems {
	t.Helper()
	_, err := Load(m)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load() error = %v, want Problems", err)
	}
	return ps
}

func TestLoadReportsProblems(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		data  string
		want  string // in the problem's text
		line  int    // -1: any line
		field string
	}{
		{"typo in a key", "faq/x.md", strings.Replace(goodEntry, "    quote:", "    qoute:", 1), `did you mean "quote"?`, 9, "citations[0].qoute"},
		{"missing question", "faq/x.md", strings.Replace(goodEntry, "question: Is this a test question?\n", "", 1), `missing; add "question: ..."`, 2, "question"},
		{"quote not verbatim", "faq/x.md", strings.Replace(goodEntry, "varies depending", "depends", 1), "not found verbatim", 9, "citations[0].quote"},
		{"unknown source", "faq/x.md", strings.Replace(goodEntry, "source: avn-shockwave", "source: nowhere", 1), `unknown source "nowhere"`, 8, "citations[0].source"},
		{"duplicate id", "faq/x.md", strings.Replace(goodEntry, "id: test-entry", "id: anaesthesia", 1), "ids must be unique", 2, "id"},
		{"phrasing of another entry", "faq/x.md", strings.Replace(goodEntry, "a test phrasing nobody else uses", "ESWT anaesthetic?", 1), "already a phrasing in faq/anaesthesia.md", 5, "alternates[0]"},
		{"answer too long", "faq/x.md", goodEntry + strings.Repeat("word ", 400), "characters; Discord replies need it within", 12, "answer"},
		{"malformed YAML", "faq/x.md", strings.Replace(goodEntry, "tags: [test]", "tags: [test", 1), "the YAML is malformed", -1, ""},
		{"no front matter", "faq/x.md", "just an answer\n", `must start with a line "---"`, 1, ""},
		{"unclosed front matter", "faq/x.md", "---\nid: x\n", "not closed", 1, ""},
		{"bad date", "faq/x.md", strings.Replace(goodEntry, "2026-11-24", "24/11/2026", 1), "YYYY-MM-DD", 10, "reviewed"},
		{"no citations", "faq/x.md", strings.Replace(goodEntry, "citations:\n  - source: avn-shockwave\n    quote: \"The required number of sessions varies depending on the patient.\"\n", "", 1), "at least one citation", 2, "citations"},
		{"not markdown", "faq/notes.txt", "hello", "not a .md file", 0, ""},
		{"not UTF-8", "faq/x.md", "---\xff\xfe\n", "not valid UTF-8", 0, ""},
		{"term in two synonym groups", "synonyms.yaml", "groups:\n  - [avn, osteonecrosis]\n  - [avn, bone death]\n", "a term may belong to one group only", 3, "groups[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseFS(t)
			m[tt.file] = &fstest.MapFile{Data: []byte(tt.data)}
			ps := problemsOf(t, m)
			for _, p := range ps {
				if p.File == tt.file && strings.Contains(p.Msg, tt.want) {
					if (tt.line >= 0 && p.Line != tt.line) || p.Field != tt.field {
						t.Errorf("problem %q at line %d field %q, want line %d field %q", p, p.Line, p.Field, tt.line, tt.field)
					}
					return
				}
			}
			t.Errorf("no problem in %s containing %q; got:\n%v", tt.file, tt.want, ps)
		})
	}
}

// TestLoadReportsAllProblems: a moderator sees every problem at once.
func TestLoadReportsAllProblems(t *testing.T) {
	m := baseFS(t)
	m["faq/a.md"] = &fstest.MapFile{Data: []byte(strings.Replace(goodEntry, "    quote:", "    qoute:", 1))}
	m["faq/b.md"] = &fstest.MapFile{Data: []byte(strings.Replace(strings.Replace(goodEntry, "test-entry", "other", 1), "varies depending", "depends", 1))}
	m["faq/c.md"] = &fstest.MapFile{Data: []byte("no front matter")}
	ps := problemsOf(t, m)
	files := map[string]bool{}
	for _, p := range ps {
		files[p.File] = true
	}
	for _, f := range []string{"faq/a.md", "faq/b.md", "faq/c.md"} {
		if !files[f] {
			t.Errorf("no problem reported for %s; got:\n%v", f, ps)
		}
	}
}

func TestQuoteToleratesQuoteMarksAndSpace(t *testing.T) {
	m := baseFS(t)
	entry := strings.Replace(goodEntry, `quote: "The required number of sessions varies depending on the patient."`,
		`quote: "it's crucial   to speak with a qualified
      healthcare professional"`, 1)
	m["faq/x.md"] = &fstest.MapFile{Data: []byte(entry)}
	if _, err := Load(m); err != nil {
		t.Fatalf("Load() = %v, want straight apostrophes and line breaks tolerated", err)
	}
}

func TestProblemString(t *testing.T) {
	p := Problem{File: "faq/x.md", Line: 9, Field: "citations[0].qoute", Msg: `unknown key; did you mean "quote"?`}
	if got, want := p.String(), `faq/x.md:9: citations[0].qoute: unknown key; did you mean "quote"?`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
