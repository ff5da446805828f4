package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/avnbot/avnbot/index"
	"github.com/avnbot/avnbot/knowledge"
)

// runLint validates a knowledge directory and prints every problem.
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
	kb, err := loadKnowledge(dir)
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
	if ps := index.CheckSynonyms(kb.Synonyms); len(ps) > 0 {
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("%s: %d problem(s)", name, len(ps))
	}
	fmt.Fprintf(stdout, "%s: ok (%d entries, %d sources, %d synonym groups, %d red-flag categories)\n",
		name, len(kb.Entries), len(kb.Sources), len(kb.Synonyms), len(kb.Safety.RedFlags))
	return nil
}
