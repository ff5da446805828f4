package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/avnbot/avnbot/bot/check"
	"github.com/avnbot/avnbot/knowledge"
)

// runLint checks a knowledge directory as a reload would (check.Dir: the
// loader, the synonyms, the golden questions) and prints every problem.
func runLint(cfg config, args []string, stdout io.Writer) error {
	if len(args) > 1 {
		return fmt.Errorf("%w: lint takes at most one directory", errUsage)
	}
	dir := cfg.KnowledgeDir
	if len(args) == 1 {
		dir = args[0]
	}
	name := dir
	if name == "" {
		name = "the embedded knowledge"
	}
	a, kb, err := check.Dir(dir, 0)
	var ps knowledge.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("%s: %d problem(s)", name, len(ps))
	}
	if err != nil {
		return err
	}
	a.Close()
	fmt.Fprintf(stdout, "%s: ok (%d entries, %d sources, %d synonym groups, %d red-flag categories, %d golden questions pass)\n",
		name, len(kb.Entries), len(kb.Sources), len(kb.Synonyms), len(kb.Safety.RedFlags), len(kb.Tests))
	return nil
}
