package live_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/avnbot/avnbot/bot/live"
	"github.com/avnbot/avnbot/knowledge"
)

// A moderator's edit that breaks a golden question is refused: the
// assistant keeps answering from the last good knowledge, and the report
// says why, at the line of tests.yaml.
func ExampleAssistant_Reload() {
	dir, err := os.MkdirTemp("", "knowledge")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, knowledge.EmbeddedFS()); err != nil {
		panic(err)
	}
	a, err := live.New(dir, live.Options{})
	if err != nil {
		panic(err)
	}
	defer a.Close()
	before := a.Version()

	tests := filepath.Join(dir, knowledge.TestsFile)
	os.Remove(tests) // the embedded copy is read-only
	os.WriteFile(tests, []byte("- question: how long is a session\n  expect: what-is-avn\n"), 0o644)
	r := a.Reload(context.Background())
	fmt.Println("live:", r.OK(), "still serving the same:", a.Version() == before)
	for _, p := range r.Problems {
		rel, _ := filepath.Rel(dir, p.File)
		fmt.Printf("%s:%d\n", rel, p.Line)
	}
	ans, _ := a.Ask("how long is a session?")
	fmt.Println(ans.Entry.ID)
	// Output:
	// live: false still serving the same: true
	// tests.yaml:1
	// session-length
}
