package knowledge

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
		{"phrasing of another entry", "faq/x.md", strings.Replace(goodEntry, "a test phrasing nobody else uses", "ESWT anaesthetic?", 1), "already a phrasing in faq/anaesthesia.md:", 5, "alternates[0]"},
		{"answer too long", "faq/x.md", goodEntry + strings.Repeat("word ", 400), "characters; Discord replies need it within", 12, "answer"},
		{"unclosed list", "faq/x.md", strings.Replace(goodEntry, "tags: [test]", "tags: [test", 1), `the list opened with "[" here is not closed`, 6, ""},
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

// TestYAMLSyntaxErrors: a syntax error is reported at the line and column
// of the mistake (yaml.v3 alone reports the start of the enclosing block),
// in words about the file.
func TestYAMLSyntaxErrors(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		line, col      int
		want           string
	}{
		{"item indented too little", "  - a test phrasing nobody else uses\n", "  - a test phrasing nobody else uses\n - second\n", 6, 2, "does not line up"},
		{"key indented", "tags: [test]", " tags: [test]", 6, 2, "does not line up"},
		{"unclosed flow list", "tags: [test]", "tags: [test", 6, 7, `"[" here is not closed`},
		{"colon in text", "question: Is this a test question?", "question: Note: is this a test?", 3, 15, "put the whole text in double quotes"},
		{"tab", "tags: [test]", "\ttags: [test]", 6, 1, "indent with spaces only"},
		{"unclosed quote", `on the patient."`, `on the patient.`, 9, 12, "never closed"},
		{"key without colon", "tags: [test]", "tags", 6, 1, `no "key: value" colon`},
		{"citation key out of line", "    quote:", "     quote:", 9, 11, "put the whole text in double quotes; if this line starts a new key, line it up"},
		{"list broken", "reviewed: 2026-11-24", "   reviewed: 2026-11-24", 10, 4, "breaks the list that starts on line 8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(goodEntry, tc.from) {
				t.Fatalf("goodEntry lacks %q", tc.from)
			}
			m := baseFS(t)
			m["faq/x.md"] = &fstest.MapFile{Data: []byte(strings.Replace(goodEntry, tc.from, tc.to, 1))}
			ps := problemsOf(t, m)
			var mine Problems
			for _, p := range ps {
				if p.File == "faq/x.md" {
					mine = append(mine, p)
				}
			}
			if len(mine) != 1 {
				t.Fatalf("want one problem in faq/x.md, got %v", mine)
			}
			p := mine[0]
			if p.Line != tc.line || p.Column != tc.col || !strings.Contains(p.Msg, tc.want) {
				t.Errorf("got %s\nwant faq/x.md:%d:%d: …%s…", p, tc.line, tc.col, tc.want)
			}
			for _, jargon := range []string{"mapping", "scalar", "block", "token", "indicator"} {
				if strings.Contains(p.Msg, jargon) {
					t.Errorf("parser jargon %q in %q", jargon, p.Msg)
				}
			}
		})
	}
}

// TestJoinedItems: a list item that swallowed the lines after it (a wrong
// indent YAML accepts) is reported at the swallowed line.
func TestJoinedItems(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		line             int
		want             string
	}{
		{"dash indented one more", "faq/x.md", strings.Replace(goodEntry, "  - a test phrasing nobody else uses\n",
			"  - a test phrasing nobody else uses\n   - and another one\n", 1), 6, `this "- " is indented further than the list item on line 5`},
		{"text run on", "faq/x.md", strings.Replace(goodEntry, "  - a test phrasing nobody else uses\n",
			"  - a test phrasing nobody else uses\n    and another one\n  - third\n", 1), 6, "continues the list item on line 5"},
		{"synonym group", "synonyms.yaml", "groups:\n  - - avn\n    - osteonecrosis\n     - bone death\n", 4, "indented further"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := baseFS(t)
			m[tc.file] = &fstest.MapFile{Data: []byte(tc.data)}
			for _, p := range problemsOf(t, m) {
				if p.File == tc.file && strings.Contains(p.Msg, tc.want) {
					if p.Line != tc.line {
						t.Errorf("at line %d, want %d: %s", p.Line, tc.line, p)
					}
					return
				}
			}
			t.Errorf("no problem %q in %s", tc.want, tc.file)
		})
	}
	// Multi-line quoted text and flow lists stay allowed.
	m := baseFS(t)
	m["faq/x.md"] = &fstest.MapFile{Data: []byte(strings.Replace(goodEntry, "tags: [test]", "tags: [test,\n  other]", 1))}
	if _, err := Load(m); err != nil {
		t.Errorf("a flow list over two lines: %v", err)
	}
}

// TestDuplicateBlame: of two entries with one id or phrasing, the one
// reviewed later is blamed, and the message names the other with its line;
// on the same day, the one later by file name.
func TestDuplicateBlame(t *testing.T) {
	older := strings.Replace(goodEntry, "2026-11-24", "2025-01-01", 1)
	newer := strings.Replace(goodEntry, "a test phrasing nobody else uses", "another phrasing", 1)
	for _, tc := range []struct {
		name          string
		a, b          string // faq/a.md, faq/b.md
		blamed, named string
	}{
		{"newer sorts first", newer, older, "faq/a.md", "faq/b.md:"},
		{"newer sorts last", older, newer, "faq/b.md", "faq/a.md:"},
		{"same day", goodEntry, newer, "faq/b.md", "faq/a.md:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := baseFS(t)
			m["faq/a.md"] = &fstest.MapFile{Data: []byte(tc.a)}
			m["faq/b.md"] = &fstest.MapFile{Data: []byte(tc.b)}
			var got []string
			for _, p := range problemsOf(t, m) {
				if p.Field == "id" || p.Field == "question" {
					got = append(got, p.String())
					if p.File != tc.blamed || !strings.Contains(p.Msg, tc.named) {
						t.Errorf("%s\nwant it on %s, naming %s", p, tc.blamed, tc.named)
					}
				}
			}
			if len(got) != 2 { // the id and the question
				t.Errorf("want 2 problems (id, question), got %q", got)
			}
		})
	}
}

// TestNearestPassage: a quote that is not verbatim gets the closest passage
// of the source and the words that differ, whole words only.
func TestNearestPassage(t *testing.T) {
	src := sourceWords("First line here.\nUsually, the therapy is given over a few sessions with each session\nlasting 20 to 30 minutes. The required number of sessions varies.", 7)
	for _, tc := range []struct{ quote, want string }{
		{"each session lasting twenty to 30 minutes.", `at f.md:9, reads "… with each session lasting 20 to 30 minutes. The …": the quote has "twenty" where the source has "20"`},
		{"The required number of sessions will vary.", `the quote has "will vary." where the source has "varies."`},
		{"given over a few sessions each session lasting", `the quote leaves out "with"`},
		{"the therapy is given over a very few sessions", `the quote adds "very" there`},
		{"Something else entirely, about pancakes and syrup.", ""},
	} {
		got := nearestPassage(src, tc.quote, "f.md")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("quote %q:\n got %q\nwant %q", tc.quote, got, tc.want)
		}
	}
}

// TestLoadDirPaths: problems name files as the directory was given.
func TestLoadDirPaths(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, baseFS(t)); err != nil {
		t.Fatal(err)
	}
	dup := filepath.Join(dir, "faq", "zz.md")
	if err := os.WriteFile(dup, []byte(strings.Replace(goodEntry, "id: test-entry", "id: anaesthesia", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadDir(dir)
	var ps Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("LoadDir = %v", err)
	}
	p := ps[0]
	if p.File != dup || !strings.Contains(p.Msg, filepath.Join(dir, "faq", "anaesthesia.md")+":") {
		t.Errorf("got %s; want it on %s naming %s", p, dup, filepath.Join(dir, "faq", "anaesthesia.md"))
	}
}
