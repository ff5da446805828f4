package knowledge

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// fuzzTargets are the files FuzzLoad replaces, chosen by the fuzzer's
// selector byte: an FAQ entry, the synonyms, the safety texts, a source and
// the settings.
var fuzzTargets = []string{
	FAQDir + "/advantages.md",
	SynonymsFile,
	SafetyFile,
	SourcesDir + "/avn-shockwave.md",
	SettingsFile,
}

// fuzzEntries are the FAQ entries kept in FuzzLoad's knowledge: a few, so
// that each run is quick, the first being the one replaced.
var fuzzEntries = []string{FAQDir + "/advantages.md", FAQDir + "/number-of-sessions.md", FAQDir + "/what-is-avn.md"}

// embeddedMapFS copies the embedded knowledge into a MapFS, with only the
// FAQ entries in fuzzEntries.
func embeddedMapFS(tb testing.TB) fstest.MapFS {
	tb.Helper()
	src := EmbeddedFS()
	m := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if path.Dir(p) == FAQDir && !slices.Contains(fuzzEntries, p) || p == TestsFile {
			return nil // the golden questions name entries left out; FuzzTests fuzzes them
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		m[p] = &fstest.MapFile{Data: data, Mode: 0o444}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range append(fuzzTargets, fuzzEntries...) {
		if m[f] == nil {
			tb.Fatalf("%s is not in the embedded knowledge; update the fuzz targets", f)
		}
	}
	if _, err := Load(m); err != nil {
		tb.Fatalf("the fuzz base does not load: %v", err)
	}
	return m
}

// billionLaughs is YAML whose aliases expand to 10^levels scalars, if anything
// were to expand them.
func billionLaughs(levels int) string {
	var b strings.Builder
	b.WriteString(`l0: &l0 "lol"` + "\n")
	for i := 1; i <= levels; i++ {
		prev := "*l" + string(rune('0'+i-1))
		b.WriteString("l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [")
		b.WriteString(strings.TrimSuffix(strings.Repeat(prev+", ", 10), ", "))
		b.WriteString("]\n")
	}
	return b.String()
}

// loadSeeds are hostile versions of each target's real bytes.
func loadSeeds(real []byte) [][]byte {
	s := string(real)
	crlf := strings.ReplaceAll(s, "\n", "\r\n")
	seeds := []string{
		s,
		"",
		"---",
		"---\n",
		"---\n---\n",
		"---\n\n---\nanswer only\n",
		s[:len(s)/2],
		s[:len(s)/3],
		s[:min(len(s), 10)],
		strings.Replace(s, "quote:", "qoute:", 1),
		strings.Replace(s, "question:", "questoin:", 1),
		"\ufeff" + s,
		crlf,
		"\ufeff" + crlf,
		strings.Replace(s, "\n---\n", "\n", 1),   // front matter never closed
		strings.Replace(s, "---\n", "--- \n", 1), // not quite a marker
		strings.Replace(s, "\n", "\n\x00", 3),    // NULs
		s + "\xff\xfe\x80",                       // invalid UTF-8
		"\x00\x01\x02\x89PNG\r\n\x1a\n\xde\xad\xbe\xef", // binary junk
		strings.Replace(s, "id:", "id: \"Not A Valid Id\"\nid:", 1),
		strings.Replace(s, "reviewed:", "reviewed: [2026, 11]\nx:", 1),
		strings.Replace(s, "  - source:", "  - *undefined\n  - source:", 1),
		"---\n" + billionLaughs(9) + "id: laughs\nquestion: *l9\ncitations: *l9\n---\nbody\n",
		billionLaughs(9) + "groups: [*l9, *l8]\nadvice: *l9\nred_flags: *l9\n",
		billionLaughs(9) + "advice: x\nurgent: y\ncrisis: z\nred_flags:\n  - category: c\n    crisis: *l9\n    patterns: *l9\n",
		"groups:\n  - [a, b]\n  - [b, c]\n  - [x]\n  - {k: v}\n  - [~, '', \"  \"]\n",
		"advice: a\nurgent: u\ncrisis: c\nred_flags:\n  - category: broken\n    crisis: maybe\n    patterns: ['(((', '[a-', '\\bfoo(', '*x', '(?P<n', '\\p{Nope}', 'a{2,1}', '', '.*', 'x|']\n",
		"advice: a\nurgent: u\ncrisis: c\nred_flags:\n  - category: deep\n    patterns: ['" + strings.Repeat("(", 2000) + "a" + strings.Repeat(")", 2000) + "', 'a{1000}{1000}']\n",
		"- just\n- a\n- list\n",
		"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{",
		strings.Repeat("[", 10000),
		"key: value\nkey: value\n",
		"%YAML 1.1\n%TAG ! tag:x,2000:\n--- !foo\nadvice: !!binary aGVsbG8=\n",
	}
	out := make([][]byte, len(seeds))
	for i, s := range seeds {
		out[i] = []byte(s)
	}
	return out
}

// FuzzLoad replaces one knowledge file with arbitrary bytes: Load must
// return a base or a Problems error in which every problem names a file,
// and never panic or hang.
func FuzzLoad(f *testing.F) {
	base := embeddedMapFS(f)
	for i, name := range fuzzTargets {
		for _, s := range loadSeeds(base[name].Data) {
			f.Add(byte(i), s)
		}
	}
	// Every path a problem may name: the files and folders of the base.
	known := map[string]bool{FAQDir: true, SourcesDir: true, SynonymsFile: true, SafetyFile: true}
	for p := range base {
		known[p] = true
	}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		target := fuzzTargets[int(which)%len(fuzzTargets)]
		fsys := make(fstest.MapFS, len(base))
		for p, file := range base {
			fsys[p] = file
		}
		fsys[target] = &fstest.MapFile{Data: bytes.Clone(data), Mode: 0o444}

		b, err := Load(fsys)
		if err == nil {
			if b == nil || len(b.Entries) == 0 || b.Safety.Advice == "" || len(b.Safety.RedFlags) == 0 {
				t.Fatalf("Load(%s replaced by %.200q) = base with %d entries, advice %q, %d red flags, and no error; want entries and the advice, or Problems",
					target, data, len(b.Entries), b.Safety.Advice, len(b.Safety.RedFlags))
			}
			return
		}
		if b != nil {
			t.Errorf("Load(%s replaced) returned a base with an error", target)
		}
		var ps Problems
		if !errors.As(err, &ps) {
			t.Fatalf("Load(%s replaced) error %T %v, want Problems", target, err, err)
		}
		if len(ps) == 0 {
			t.Fatalf("Load(%s replaced): empty Problems", target)
		}
		for _, p := range ps {
			if p.File == "" || !known[path.Clean(p.File)] {
				t.Errorf("problem names no known file: %q", p.String())
			}
			if p.Line < 0 {
				t.Errorf("problem has line %d: %q", p.Line, p.String())
			}
			if strings.TrimSpace(p.Msg) == "" {
				t.Errorf("problem says nothing: %+v", p)
			}
		}
	})
}
