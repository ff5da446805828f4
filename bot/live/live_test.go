package live

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/knowledge"
)

// newEntry is an entry the embedded knowledge lacks, answering a question
// nothing else does.
const newEntry = `---
id: zorblax-protocol
question: What is the zorblax protocol?
alternates:
  - explain the zorblax protocol
tags: [test]
citations:
  - source: avn-shockwave
    quote: "Usually, the therapy is given over a few sessions with each session lasting 20 to 30 minutes."
reviewed: 2026-11-25
---
The zorblax protocol is a few sessions of 20 to 30 minutes each.
`

const zorblax = "what is the zorblax protocol?"

// knowledgeDir is a copy of the embedded knowledge in a temporary directory.
func knowledgeDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, knowledge.EmbeddedFS()); err != nil {
		t.Fatal(err)
	}
	// CopyFS keeps the embedded files' read-only mode.
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			mode := os.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			os.Chmod(p, mode)
		}
		return err
	})
	return dir
}

// save writes a file the way editors do: a temporary file renamed over it.
func save(t testing.TB, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	tmp := filepath.Join(filepath.Dir(p), ".~"+filepath.Base(p)+".tmp")
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

func read(t testing.TB, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func answers(t testing.TB, a *Assistant, q string) string {
	t.Helper()
	ans, err := a.Ask(q)
	if err != nil {
		t.Fatalf("Ask(%q): %v", q, err)
	}
	if ans.Kind != bot.Answered {
		return ""
	}
	return ans.Entry.ID
}

func TestReload(t *testing.T) {
	ctx := context.Background()
	dir := knowledgeDir(t)
	a, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	v0 := a.Version()
	if len(v0) != 12 {
		t.Errorf("Version() = %q, want 12 hex digits", v0)
	}

	if r := a.Reload(ctx); !r.OK() || !r.Unchanged || r.Version != v0 {
		t.Errorf("Reload of the same files = %+v, want unchanged %s", r, v0)
	}

	// A good edit: a new entry, and an edited one.
	save(t, dir, "faq/zorblax-protocol.md", newEntry)
	sl := read(t, dir, "faq/session-length.md")
	save(t, dir, "faq/session-length.md", strings.Replace(sl, "and the therapy is usually given", "and the therapy is mostly given", 1))
	r := a.Reload(ctx)
	if !r.OK() || r.Unchanged || r.Version == v0 || r.Previous != v0 || a.Version() != r.Version {
		t.Fatalf("Reload after a good edit = %v (%+v)", r, r)
	}
	if !slices.Equal(r.Added, []string{"zorblax-protocol"}) || !slices.Equal(r.Edited, []string{"session-length"}) || len(r.Removed) != 0 {
		t.Errorf("Reload: added %v, edited %v, removed %v; want [zorblax-protocol], [session-length], []", r.Added, r.Edited, r.Removed)
	}
	if !slices.Equal(r.Files, []string{"faq/session-length.md", "faq/zorblax-protocol.md"}) {
		t.Errorf("Reload: files %v", r.Files)
	}
	if got := answers(t, a, zorblax); got != "zorblax-protocol" {
		t.Errorf("after the good edit, %q answered by %q, want zorblax-protocol", zorblax, got)
	}
	v1 := a.Version()

	// Bad edits are refused with every problem; the last good knowledge stays.
	bad := []struct {
		name, file, data, want string
	}{
		{"misspelt key", "faq/anaesthesia.md", strings.Replace(read(t, dir, "faq/anaesthesia.md"), "    quote:", "    qoute:", 1),
			filepath.Join(dir, "faq", "anaesthesia.md") + ":"},
		{"golden regression", knowledge.TestsFile, read(t, dir, knowledge.TestsFile) + "- question: what is the zorblax protocol\n  expect: session-length\n",
			filepath.Join(dir, knowledge.TestsFile) + ":"},
		{"unknown id in a test", knowledge.TestsFile, "- question: hello\n  expect: zorblax\n", `unknown entry "zorblax"`},
		{"broken YAML", knowledge.SynonymsFile, "groups: [[avn, \n", filepath.Join(dir, knowledge.SynonymsFile)},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			before := read(t, dir, b.file)
			save(t, dir, b.file, b.data)
			defer save(t, dir, b.file, before)
			r := a.Reload(ctx)
			if r.OK() || len(r.Problems) == 0 || r.Version != v1 || a.Version() != v1 {
				t.Fatalf("Reload after a bad edit = %+v, want problems and %s still live", r, v1)
			}
			if !strings.Contains(r.String(), b.want) || !strings.Contains(r.String(), "reload refused, still serving "+v1) {
				t.Errorf("report:\n%s\nwant it to contain %q", r, b.want)
			}
			if got := answers(t, a, zorblax); got != "zorblax-protocol" {
				t.Errorf("after a refused edit, %q answered by %q, want zorblax-protocol", zorblax, got)
			}
			if got := answers(t, a, "how many sessions will I need?"); got != "number-of-sessions" {
				t.Errorf("after a refused edit, answered by %q, want number-of-sessions", got)
			}
		})
	}

	// Removing the entry takes it out.
	if err := os.Remove(filepath.Join(dir, "faq", "zorblax-protocol.md")); err != nil {
		t.Fatal(err)
	}
	r = a.Reload(ctx)
	if !r.OK() || !slices.Equal(r.Removed, []string{"zorblax-protocol"}) {
		t.Fatalf("Reload after a removal = %+v", r)
	}
	if got := answers(t, a, zorblax); got != "" {
		t.Errorf("after the removal, %q answered by %q", zorblax, got)
	}
	if _, ok := a.Show("zorblax-protocol"); ok {
		t.Error("Show finds a removed entry")
	}

	// A missing directory is an error, not the knowledge's problem.
	os.Rename(dir, dir+".gone")
	defer os.Rename(dir+".gone", dir)
	if r := a.Reload(ctx); r.OK() || r.Err == nil || a.Version() != r.Version {
		t.Errorf("Reload of a missing directory = %+v", r)
	}
}

func TestNewRefusesProblems(t *testing.T) {
	dir := knowledgeDir(t)
	save(t, dir, knowledge.TestsFile, "- question: how long is a session\n  expect: what-is-avn\n")
	_, err := New(dir, Options{})
	var ps knowledge.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || ps[0].File != filepath.Join(dir, knowledge.TestsFile) || ps[0].Line != 1 {
		t.Fatalf("New with a failing golden question: %v", err)
	}
	if _, err := New(filepath.Join(dir, "nowhere"), Options{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("New(missing directory) error %v", err)
	}
}

func TestEmbedded(t *testing.T) {
	a, err := New("", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := a.Reload(context.Background()); !r.OK() || !r.Unchanged {
		t.Errorf("Reload of the embedded knowledge = %+v, want unchanged", r)
	}
	if err := a.Watch(context.Background()); err == nil {
		t.Error("Watch of the embedded knowledge: no error")
	}
	if got := answers(t, a, "how many sessions will I need?"); got != "number-of-sessions" {
		t.Errorf("answered by %q", got)
	}
	if len(a.Topics()) != 30 || len(a.Suggest("sess", 3)) == 0 {
		t.Errorf("Topics %d, Suggest %v", len(a.Topics()), a.Suggest("sess", 3))
	}
	if _, _, err := a.Explain("how long is a session", 3); err != nil {
		t.Error(err)
	}
	a.Close()
	if _, err := a.Ask("how long is a session"); !errors.Is(err, ErrClosed) {
		t.Errorf("Ask after Close: %v, want ErrClosed", err)
	}
	if _, ok := a.Show("session-length"); ok || a.Topics() != nil || a.Version() != "" {
		t.Error("a closed assistant still shows entries")
	}
	if r := a.Reload(context.Background()); !errors.Is(r.Err, ErrClosed) {
		t.Errorf("Reload after Close = %+v", r)
	}
}

// TestRetired: the generation a reload replaces is closed once the last
// question on it returns, and not before.
func TestRetired(t *testing.T) {
	dir := knowledgeDir(t)
	a, err := New(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	old := a.use() // a question in flight on the first knowledge
	save(t, dir, "faq/zorblax-protocol.md", newEntry)
	if r := a.Reload(context.Background()); !r.OK() {
		t.Fatal(r)
	}
	if n := old.refs.Load(); n != 1 {
		t.Fatalf("the replaced generation holds %d references with one question in flight, want 1", n)
	}
	if ans, err := old.a.Ask("how long is a session"); err != nil || ans.Kind != bot.Answered {
		t.Errorf("a question in flight on the replaced knowledge: %v, %v", ans.Kind, err)
	}
	old.release()
	if n := old.refs.Load(); n != 0 {
		t.Errorf("the replaced generation holds %d references, want 0", n)
	}
	if old.acquire() {
		t.Error("a retired generation was acquired")
	}
	if _, err := old.a.Ask("how long is a session"); err == nil {
		t.Error("the replaced assistant still answers: it was not closed")
	}
}

// TestReloadUnderLoad asks questions from several goroutines while a
// moderator saves good and bad edits into a watched directory: every
// question gets an answer with the advice, the old entries answer while a
// bad edit is refused, and the new ones once a good edit is live.
func TestReloadUnderLoad(t *testing.T) {
	dir := knowledgeDir(t)
	reports := make(chan Report, 16)
	a, err := New(dir, Options{Debounce: 50 * time.Millisecond, OnReload: func(r Report) { reports <- r }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	watching := make(chan error, 1)
	go func() { watching <- a.Watch(ctx) }()
	defer func() {
		cancel()
		if err := <-watching; err != nil {
			t.Errorf("Watch: %v", err)
		}
	}()

	var asked, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	stopAsking := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer stopAsking() // before Close, when the test stops early
	qs := []string{"how long is a session?", zorblax, "what is AVN", "hello", "I want to end it all", "how much does it cost?"}
	for i := range 2 { // two askers: the reloads need the CPU too (-race on two cores)
		wg.Go(func() {
			for n := i; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				ans, err := a.Ask(qs[n%len(qs)])
				if err != nil || ans.Advice == "" {
					failed.Add(1)
					t.Errorf("Ask(%q) during reloads: advice %q, error %v", qs[n%len(qs)], ans.Advice, err)
				}
				a.Show("session-length")
				a.Suggest("sess", 5)
				asked.Add(1)
			}
		})
	}
	// until waits for a reload whose report satisfies ok; reports before it
	// are of steps on the way (an editor's save can arrive as two bursts of
	// events, the first possibly a half-written file).
	until := func(what string, ok func(Report) bool) Report {
		t.Helper()
		for {
			select {
			case r := <-reports:
				if ok(r) {
					return r
				}
				t.Logf("on the way to %s: %v", what, r)
			case <-time.After(2 * time.Minute): // a hang, not a speed limit
				t.Fatalf("no reload after %s", what)
			}
		}
	}
	refused := func(r Report) bool { return len(r.Problems) > 0 }
	added := func(id string) func(Report) bool {
		return func(r Report) bool { return r.OK() && slices.Equal(r.Added, []string{id}) }
	}
	during := func() int64 { return asked.Load() }

	n0 := during()
	save(t, dir, "faq/zorblax-protocol.md", newEntry)
	until("a new entry", added("zorblax-protocol"))
	if got := answers(t, a, zorblax); got != "zorblax-protocol" {
		t.Errorf("after the good edit, answered by %q", got)
	}
	good := a.Version()

	anaesthesia := read(t, dir, "faq/anaesthesia.md")
	save(t, dir, "faq/anaesthesia.md", strings.Replace(anaesthesia, "    quote:", "    qoute:", 1))
	if r := until("a bad edit", refused); a.Version() != good || !strings.Contains(r.String(), filepath.Join(dir, "faq", "anaesthesia.md")+":") {
		t.Fatalf("reload after a bad edit: %v", r)
	}
	if got := answers(t, a, zorblax); got != "zorblax-protocol" {
		t.Errorf("after the bad edit, answered by %q, want the last good knowledge", got)
	}
	if got := answers(t, a, "do I need a general anaesthetic for shockwave?"); got != "anaesthesia" {
		t.Errorf("after the bad edit, answered by %q, want anaesthesia from the last good knowledge", got)
	}

	// Fixed in place (not renamed): a plain write is seen too.
	if err := os.WriteFile(filepath.Join(dir, "faq", "anaesthesia.md"), []byte(strings.Replace(anaesthesia, "general anaesthetic", "general anaesthetic (being put to sleep)", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	until("the fix", func(r Report) bool { return r.OK() && slices.Equal(r.Edited, []string{"anaesthesia"}) })

	// A whole folder replaced, as a checkout or a deployment may do.
	faq := filepath.Join(dir, "faq")
	next := filepath.Join(t.TempDir(), "faq")
	if err := os.CopyFS(next, os.DirFS(faq)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(next, "zorblax-protocol.md"))
	if err := os.Rename(faq, faq+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, faq); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(faq + ".old")
	until("a replaced folder", func(r Report) bool { return r.OK() && slices.Equal(r.Removed, []string{"zorblax-protocol"}) })
	save(t, dir, "faq/zorblax-protocol.md", newEntry) // saved into the new folder
	until("a save into the new folder", added("zorblax-protocol"))

	stopAsking()
	if failed.Load() > 0 || during() == n0 {
		t.Errorf("%d of %d questions failed during the reloads", failed.Load(), asked.Load())
	}
	t.Logf("%d questions answered during the reloads", asked.Load())
}
