package check

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/avnbot/avnbot/knowledge"
)

// TestEmbedded runs the golden questions of the embedded knowledge
// (knowledge/content/tests.yaml): every one must pass on the current engine.
func TestEmbedded(t *testing.T) {
	a, kb, err := Dir("", 0)
	if err != nil {
		var ps knowledge.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				t.Error(p)
			}
			t.FailNow()
		}
		t.Fatal(err)
	}
	defer a.Close()
	if len(kb.Tests) < 60 {
		t.Errorf("%d golden questions in the embedded knowledge, want at least 60", len(kb.Tests))
	}
}

// copyFS is the embedded knowledge as files to change.
func copyFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(knowledge.EmbeddedFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(knowledge.EmbeddedFS(), p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func problems(t *testing.T, err error) knowledge.Problems {
	t.Helper()
	var ps knowledge.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v, want Problems", err)
	}
	return ps
}

func TestGoldenRegression(t *testing.T) {
	m := copyFS(t)
	m[knowledge.TestsFile] = &fstest.MapFile{Data: []byte(`# moderators' golden questions
- question: how long is a session
  expect: number-of-sessions
- question: how many sessions will I need
  expect: number-of-sessions
- question: how much does it cost
  expect: session-length
- question: is shockwave painful
  expect: urgent
- question: what is ESWT
  expect: none
`)}
	a, kb, err := FS(m, 0)
	if a != nil || kb != nil {
		t.Errorf("FS returned an assistant despite failing golden questions")
	}
	ps := problems(t, err)
	want := []string{
		`^tests.yaml:2: "how long is a session" expected number-of-sessions, got session-length \(probability 0\.\d\d\)$`,
		`^tests.yaml:6: "how much does it cost" expected session-length, got (no_match|off_topic)( \(probability 0\.\d\d, closest: [a-z-]+\))?$`,
		`^tests.yaml:8: "is shockwave painful" expected urgent, got `,
		`^tests.yaml:10: "what is ESWT" expected none, got what-is-shockwave \(probability 0\.\d\d\)$`,
	}
	if len(ps) != len(want) {
		t.Fatalf("problems:\n%v\nwant %d", ps, len(want))
	}
	for i, w := range want {
		if !regexp.MustCompile(w).MatchString(ps[i].String()) {
			t.Errorf("problem %d = %q, want it to match %s", i, ps[i].String(), w)
		}
	}
}

// TestDir checks a directory on disk: problems of every kind (the loader's,
// the synonyms', none from the golden questions, which need a loaded base)
// name their files under the directory as given.
func TestDir(t *testing.T) {
	dir := t.TempDir()
	for p, f := range copyFS(t) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, kb, err := Dir(dir, 0)
	if err != nil {
		t.Fatalf("Dir(copy of the embedded knowledge): %v", err)
	}
	a.Close()
	if len(kb.Entries) == 0 {
		t.Fatal("no entries")
	}

	syn := filepath.Join(dir, knowledge.SynonymsFile)
	data, _ := os.ReadFile(syn)
	os.WriteFile(syn, append(data, "  - [dangerousness, dangerousnesses]\n  - [dangerousness-ly, dangerousnes]\n"...), 0o644)
	_, _, err = Dir(dir, 0)
	for _, p := range problems(t, err) {
		if !strings.HasPrefix(p.File, dir+string(filepath.Separator)) {
			t.Errorf("problem %q does not name a file under %s", p.String(), dir)
		}
	}
	os.WriteFile(syn, data, 0o644)

	tests := filepath.Join(dir, knowledge.TestsFile)
	os.WriteFile(tests, []byte("- question: how long is a session\n  expect: what-is-avn\n"), 0o644)
	_, _, err = Dir(dir, 0)
	ps := problems(t, err)
	if len(ps) != 1 || ps[0].File != tests || ps[0].Line != 1 {
		t.Errorf("problems %v, want one at %s:1", ps, tests)
	}

	if _, _, err := Dir(filepath.Join(dir, "nowhere"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Dir(missing directory) error %v, want fs.ErrNotExist", err)
	}
}
