package knowledge

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEmbeddedTests(t *testing.T) {
	b, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, tc := range b.Tests {
		per[tc.Expect]++
	}
	for _, e := range b.Entries {
		if per[e.ID] < 2 {
			t.Errorf("%s: %d golden question(s) expect entry %s; want at least 2 per entry", TestsFile, per[e.ID], e.ID)
		}
	}
	if per[ExpectNone] == 0 || per[ExpectUrgent] == 0 {
		t.Errorf("%s: %d tests expect none and %d urgent; want some of each", TestsFile, per[ExpectNone], per[ExpectUrgent])
	}
}

func TestLoadTests(t *testing.T) {
	m := baseFS(t)
	m[TestsFile] = &fstest.MapFile{Data: []byte("# golden\n- question: how long is a session\n  expect: session-length\n\n- question: \"is it covered by insurance?\"\n  expect: none\n- question: I want to end it all\n  expect: urgent\n")}
	b, err := Load(m)
	if err != nil {
		t.Fatal(err)
	}
	want := []Test{
		{Question: "how long is a session", Expect: "session-length", Line: 2},
		{Question: "is it covered by insurance?", Expect: ExpectNone, Line: 5},
		{Question: "I want to end it all", Expect: ExpectUrgent, Line: 7},
	}
	if len(b.Tests) != len(want) {
		t.Fatalf("Tests = %+v, want %+v", b.Tests, want)
	}
	for i := range want {
		if got := b.Tests[i]; got != want[i] {
			t.Errorf("Tests[%d] = %+v, want %+v", i, got, want[i])
		}
	}
}

func TestLoadWithoutTests(t *testing.T) {
	for name, data := range map[string]*fstest.MapFile{
		"absent":        nil,
		"empty":         {Data: nil},
		"comments only": {Data: []byte("# nothing yet\n\n  # really\n")},
	} {
		t.Run(name, func(t *testing.T) {
			m := baseFS(t)
			delete(m, TestsFile)
			if data != nil {
				m[TestsFile] = data
			}
			b, err := Load(m)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(b.Tests) != 0 {
				t.Errorf("Tests = %+v, want none", b.Tests)
			}
		})
	}
}

func TestLoadTestsProblems(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		field      string
		want       string
	}{
		{"unknown entry", "- question: how long is a session\n  expect: session-lenght\n", 1, "expect", `unknown entry "session-lenght"; did you mean "session-length"?`},
		{"far from any entry", "- question: how long is a session\n  expect: banana\n", 1, "expect", `unknown entry "banana"; use the id of an entry`},
		{"bad expect", "- question: how long is a session\n  expect: Session Length\n", 2, "[0].expect", `"Session Length" is neither an entry id nor "none" nor "urgent"`},
		{"empty question", "- question: \"\"\n  expect: none\n", 1, "[0].question", "is empty"},
		{"missing question", "- expect: none\n", 1, "[0].question", "missing"},
		{"missing expect", "- question: hello\n", 1, "[0].expect", "missing"},
		{"unknown key", "- question: hello\n  expected: none\n", 2, "[0].expected", `unknown key; did you mean "expect"?`},
		{"not a list", "question: hello\nexpect: none\n", 1, "", "expected a list of tests"},
		{"item not a mapping", "- hello\n", 1, "[0]", "expected a set of"},
		{"duplicate", "- question: How long is a session?\n  expect: session-length\n- question: how long is a session\n  expect: none\n", 3, "[1].question", "already tested on line 1"},
		{"malformed", "- question: [unclosed\n  expect: none\n", 1, "", `the list opened with "[" here is not closed`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := baseFS(t)
			m[TestsFile] = &fstest.MapFile{Data: []byte(tc.data)}
			ps := problemsOf(t, m)
			for _, p := range ps {
				if p.File == TestsFile && strings.Contains(p.Msg, tc.want) && p.Field == tc.field && (tc.line < 0 || p.Line == tc.line) {
					return
				}
			}
			t.Errorf("problems:\n%v\nwant %s:%d: %s: ...%s...", ps, TestsFile, tc.line, tc.field, tc.want)
		})
	}
}

// FuzzTests loads arbitrary bytes as tests.yaml: a base or Problems naming
// tests.yaml, never a panic.
func FuzzTests(f *testing.F) {
	base := embeddedMapFS(f)
	real, err := EmbeddedFS().(interface{ ReadFile(string) ([]byte, error) }).ReadFile(TestsFile)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range loadSeeds(real) {
		f.Add(s)
	}
	f.Add([]byte("- question: what is avn\n  expect: what-is-avn\n- question: x\n  expect: urgent\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := make(fstest.MapFS, len(base)+1)
		for p, file := range base {
			fsys[p] = file
		}
		fsys[TestsFile] = &fstest.MapFile{Data: bytes.Clone(data)}
		b, err := Load(fsys)
		if err == nil {
			for _, tc := range b.Tests {
				if strings.TrimSpace(tc.Question) == "" || tc.Expect == "" || tc.Line < 1 {
					t.Fatalf("loaded an incomplete test %+v", tc)
				}
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("Load error %T %v, want Problems", err, err)
		}
		for _, p := range ps {
			if p.File != TestsFile || strings.TrimSpace(p.Msg) == "" || p.Line < 0 {
				t.Errorf("problem %q: want one in %s that says something", p.String(), TestsFile)
			}
		}
	})
}
