package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

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
	for _, want := range []string{"20 to 30 minutes", kb.Safety.Advice, "probability", "Searched:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestAskCrisis: a crisis reply leads with the guidance itself, not the
// name of its category.
func TestAskCrisis(t *testing.T) {
	kb, _ := knowledge.Embedded()
	code, out, _ := run(t, "", "ask", "I don't want to live anymore")
	first := strings.SplitN(kb.Safety.Crisis, " ", 6)
	if code != 0 || !strings.HasPrefix(out, strings.Join(first[:5], " ")) {
		t.Errorf("exit %d; reply does not lead with the crisis guidance:\n%s", code, out)
	}
	for _, f := range kb.Safety.RedFlags {
		if strings.Contains(out, f.Category) {
			t.Errorf("reply names the category %q:\n%s", f.Category, out)
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
	broken := bytes.Replace(b, []byte("    quote:"), []byte("    qoute:"), 1)
	os.WriteFile(f, broken, 0o644)
	line := strconv.Itoa(1 + bytes.Count(broken[:bytes.Index(broken, []byte("qoute:"))], []byte("\n")))
	code, out, errs := run(t, "", "lint", dir)
	if code != 1 || !strings.Contains(out, "faq/anaesthesia.md:") || !strings.Contains(out, `did you mean "quote"?`) {
		t.Errorf("lint of a broken directory: exit %d\nstdout: %s\nstderr: %s", code, out, errs)
	}
	// Paths are as the directory was given, so an editor can open them.
	if want := filepath.Join(dir, "faq", "anaesthesia.md") + ":" + line + ": citations[0].qoute: "; !strings.Contains(out, want) {
		t.Errorf("lint output starts %q, want %q", out, want)
	}
	// The knowledge flag works for lint like for every command.
	if code2, out2, _ := run(t, "", "lint", "--knowledge", dir); code2 != 1 || out2 != out {
		t.Errorf("lint --knowledge DIR: exit %d, %s; want as lint DIR", code2, out2)
	}

	code, out, _ = run(t, "", "lint", "--format", "github", dir)
	if want := "::error file=" + filepath.ToSlash(filepath.Join(dir, "faq", "anaesthesia.md")) + ",line=" + line + ",title=citations[0].qoute::unknown key; did you mean \"quote\"?\n"; code != 1 || !strings.HasSuffix(out, want) {
		t.Errorf("--format github: exit %d\n got %q\nwant %q", code, out, want)
	}

	code, out, _ = run(t, "", "lint", "--format", "json", dir)
	var rep struct {
		OK       bool
		Problems []knowledge.Problem
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.OK || len(rep.Problems) != 2 || strconv.Itoa(rep.Problems[1].Line) != line {
		t.Errorf("--format json: exit %d, %v, %+v\n%s", code, err, rep, out)
	}
	code, out, _ = run(t, "", "lint", "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || !rep.OK || len(rep.Problems) != 0 {
		t.Errorf("--format json of good knowledge: exit %d, %v, %s", code, err, out)
	}
}

func TestGithubAnnotationEscapes(t *testing.T) {
	got := githubAnnotation(knowledge.Problem{File: "a,b:c.md", Line: 3, Column: 4, Field: "x", Msg: "100% bad\nnext"})
	if want := "::error file=a%2Cb%3Ac.md,line=3,col=4,title=x::100%25 bad%0Anext"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCommandLine: --help on every command exits 0 with one usage block on
// stdout; a wrong command line exits 2 with one line saying what is wrong.
func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout
		err  string // in stderr
	}{
		{[]string{"--help"}, 0, "Available Commands:", ""},
		{[]string{"-h"}, 0, "Available Commands:", ""},
		{[]string{"help"}, 0, "Available Commands:", ""},
		{[]string{"ask", "--help"}, 0, "avnbot ask [flags] QUESTION", ""},
		{[]string{"lint", "--help"}, 0, "avnbot lint [flags] [DIR]", ""},
		{[]string{"run", "--help"}, 0, "avnbot run", ""},
		{[]string{"help", "lint"}, 0, "--format", ""},
		{[]string{"--version"}, 0, "avnbot ", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"--frobnicate"}, 2, "", "unknown flag: --frobnicate"},
		{[]string{"ask"}, 2, "", "needs a question"},
		{[]string{"ask", "--top", "-3", "how long"}, 2, "", "--top -3: give a number from 1 to"},
		{[]string{"ask", "--top", "0", "how long"}, 2, "", "--top 0"},
		{[]string{"ask", "--top", "51", "how long"}, 2, "", "--top 51"},
		{[]string{"ask", "--top", "many", "how long"}, 2, "", `invalid argument "many"`},
		{[]string{"ask", "--explain=loud", "how long"}, 2, "", "--explain=raw"},
		{[]string{"lint", "a", "b"}, 2, "", "at most one directory"},
		{[]string{"lint", "--format", "xml"}, 2, "", `--format "xml"`},
		{[]string{"run", "now"}, 2, "", "takes no arguments"},
		{[]string{"lint", "--knowledge", "does-not-exist"}, 1, "", "does-not-exist"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errs := run(t, "", tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errs, tc.err) {
				t.Errorf("exit %d, want %d\nstdout (want %q):\n%s\nstderr (want %q):\n%s", code, tc.code, tc.out, out, tc.err, errs)
			}
			if strings.Count(out+errs, "Usage:") > 1 {
				t.Errorf("more than one usage block:\n%s%s", out, errs)
			}
			if tc.code == 2 && strings.Count(strings.TrimSpace(errs), "\n") != 1 {
				t.Errorf("a usage error should be one line and a pointer to --help, got:\n%s", errs)
			}
		})
	}
}

// TestFlagsAnywhere: flags after the question are flags, not words of it.
func TestFlagsAnywhere(t *testing.T) {
	_, before, _ := run(t, "", "ask", "--top", "2", "how", "long")
	code, after, errs := run(t, "", "ask", "how long", "--top", "2")
	if code != 0 || after != before {
		t.Errorf("exit %d (%s); flags after the question:\n%s\nwant as before it:\n%s", code, errs, after, before)
	}
	if !strings.Contains(after, `Searched: "how long"`) {
		t.Errorf("searched text is not the question alone:\n%s", after)
	}
	// -- ends the flags: a question may start with a dash.
	if code, out, errs := run(t, "", "ask", "--", "--top"); code != 0 || !strings.Contains(out, "FAQ assistant") {
		t.Errorf("ask -- --top: exit %d, %s%s", code, out, errs)
	}
}

// TestExplain: --explain is a short breakdown; the raw features only come
// with --explain=raw.
func TestExplain(t *testing.T) {
	_, short, _ := run(t, "", "ask", "--explain", "shockwave vs hip replacement")
	_, raw, _ := run(t, "", "ask", "--explain=raw", "shockwave vs hip replacement")
	if !strings.Contains(short, "lacks:") || !strings.Contains(short, "probability") || strings.Contains(short, "features:") {
		t.Errorf("--explain:\n%s", short)
	}
	if strings.Contains(short, "≡") {
		t.Errorf("--explain shows raw synonym group tokens:\n%s", short)
	}
	if !strings.Contains(raw, "features: cover") || len(raw) <= len(short) {
		t.Errorf("--explain=raw has no features:\n%s", raw)
	}
	if n := strings.Count(short, "\n"); n > 40 {
		t.Errorf("--explain is %d lines; it should be a short breakdown", n)
	}
}

// TestAskJSONLongLine: a line longer than any buffer is answered, capped,
// and the lines after it too.
func TestAskJSONLongLine(t *testing.T) {
	long := "how many sessions " + strings.Repeat("é", 1<<20)
	code, out, errs := run(t, long+"\nhow long is a session?\n", "ask", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines of output, want 2", len(lines))
	}
	var first struct{ Question string }
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if len(first.Question) > maxLine || !strings.HasPrefix(first.Question, "how many sessions é") || !utf8.ValidString(first.Question) {
		t.Errorf("long question echoed as %d bytes (cap %d), valid UTF-8 %v", len(first.Question), maxLine, utf8.ValidString(first.Question))
	}
	if !strings.Contains(lines[1], "session-length") {
		t.Errorf("the line after the long one: %s", lines[1])
	}
}

func TestReadLine(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader("abcdefgh\r\nxy\n\nlast"), 16)
	var got []string
	for {
		l, err := readLine(r, 5)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if want := []string{"abcde", "xy", "", "last"}; !slices.Equal(got, want) {
		t.Errorf("readLine: %q, want %q", got, want)
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

// TestCalibrate prints the reliability table of the models trained on the
// embedded knowledge.
func TestCalibrate(t *testing.T) {
	code, out, errOut := run(t, "", "calibrate")
	if code != 0 {
		t.Fatalf("calibrate: exit %d, %s", code, errOut)
	}
	for _, want := range []string{"answers at probability >= 0.50", "reliability on held-out folds", "ranked first:", "0.9-1.0"} {
		if !strings.Contains(out, want) {
			t.Errorf("calibrate output lacks %q:\n%s", want, out)
		}
	}
}
