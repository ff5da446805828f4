package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/avnbot/avnbot/knowledge"
)

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestAskJSONContract checks the contract shared/eval/score.py reads: one
// JSON object per input line, in order, with every field.
func TestAskJSONContract(t *testing.T) {
	qs := []string{"how many sessions will I need?", "how do I make pancakes", "I don't want to live anymore", "", "\x00\x01 junk"}
	code, out, errs := run(t, strings.Join(qs, "\n")+"\n", "ask", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(qs) {
		t.Fatalf("%d output lines for %d questions", len(lines), len(qs))
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v", i+1, err)
		}
		for _, k := range []string{"question", "answered", "urgent", "entry", "score", "answer", "citations", "advice", "related", "reply"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line %d: no %q field", i+1, k)
			}
		}
		if m["question"] != qs[i] {
			t.Errorf("line %d: question %q, want %q (order kept)", i+1, m["question"], qs[i])
		}
		if a, _ := m["advice"].(string); a == "" {
			t.Errorf("line %d: empty advice", i+1)
		}
	}
	var first, crisis struct {
		Answered  bool
		Urgent    bool
		Entry     *struct{ ID string }
		Citations []struct{ Source, Quote string }
	}
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[2]), &crisis)
	if !first.Answered || first.Entry == nil || len(first.Citations) == 0 || first.Citations[0].Source == "" {
		t.Errorf("first question: %s, want an answer with cited sources", lines[0])
	}
	if !crisis.Urgent || crisis.Answered {
		t.Errorf("crisis message: %s, want urgent and no FAQ answer", lines[2])
	}
}

func TestAskText(t *testing.T) {
	code, out, errs := run(t, "", "ask", "--top", "3", "--explain", "how long is a shockwave session?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	kb, _ := knowledge.Embedded()
	for _, want := range []string{"20 to 30 minutes", kb.Safety.Advice, "probability", "searched:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestLint(t *testing.T) {
	code, out, _ := run(t, "", "lint")
	if code != 0 || !strings.Contains(out, "ok (") {
		t.Errorf("lint of the embedded knowledge: exit %d, %s", code, out)
	}

	dir := t.TempDir()
	if err := os.CopyFS(dir, knowledge.EmbeddedFS()); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "faq", "anaesthesia.md")
	b, _ := os.ReadFile(f)
	os.WriteFile(f, bytes.Replace(b, []byte("    quote:"), []byte("    qoute:"), 1), 0o644)
	code, out, errs := run(t, "", "lint", dir)
	if code != 1 || !strings.Contains(out, "faq/anaesthesia.md:") || !strings.Contains(out, `did you mean "quote"?`) {
		t.Errorf("lint of a broken directory: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
}

func TestUsage(t *testing.T) {
	if code, _, errs := run(t, "", "frobnicate"); code != 2 || !strings.Contains(errs, "Usage:") {
		t.Errorf("unknown command: exit %d, %s", code, errs)
	}
	if code, _, errs := run(t, "", "ask"); code != 2 || !strings.Contains(errs, "needs a question") {
		t.Errorf("ask without a question: exit %d, %s", code, errs)
	}
}

func TestConsole(t *testing.T) {
	code, out, errs := run(t, "topics\nhow long is a session?\n", "--knowledge", "")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"No DISCORD_TOKEN is set", "session-length", "20 to 30 minutes"} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
}
