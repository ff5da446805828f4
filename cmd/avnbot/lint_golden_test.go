package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/avnbot/avnbot/knowledge"
)

// TestLintGolden: lint runs the golden questions and fails on a regression,
// naming tests.yaml's line, the question, what it expected and what it got.
func TestLintGolden(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, knowledge.EmbeddedFS()); err != nil {
		t.Fatal(err)
	}
	tests := filepath.Join(dir, knowledge.TestsFile)
	if err := os.WriteFile(tests, []byte("# golden\n- question: how long is a session\n  expect: number-of-sessions\n- question: what is AVN\n  expect: what-is-avn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "", "lint", dir)
	want := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(tests) + `:2: "how long is a session" expected number-of-sessions, got session-length \(probability 0\.\d\d\)$`)
	if code != 1 || !want.MatchString(out) {
		t.Errorf("lint with a failing golden question: exit %d\nstdout: %s\nstderr: %s\nwant exit 1 and a line matching %s", code, out, errs, want)
	}

	os.WriteFile(tests, []byte("- question: what is AVN\n  expect: what-is-avn\n"), 0o644)
	if code, out, errs := run(t, "", "lint", dir); code != 0 {
		t.Errorf("lint with passing golden questions: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}
