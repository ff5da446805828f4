// Package check decides whether a knowledge directory may go live: what the
// loader validates, what only the search can see (synonym terms it would
// merge), and the moderators' golden questions (tests.yaml) asked of an
// assistant built on it. `avnbot lint` and live reload share it, so a
// directory that lints clean is one that reloads.
package check

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/index"
	"github.com/avnbot/avnbot/knowledge"
)

// Dir checks the knowledge directory dir ("" for the embedded knowledge) and
// returns an assistant built on it (target as for bot.New), with the
// knowledge it holds. On any problem it returns a knowledge.Problems error
// listing every one, with files named as dir was given; other errors (no
// such directory) are returned as they are. The caller closes the assistant.
func Dir(dir string, target float64) (*bot.Assistant, *knowledge.Base, error) {
	if dir == "" {
		return FS(knowledge.EmbeddedFS(), target)
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("knowledge directory: %w", err)
	} else if !st.IsDir() {
		return nil, nil, fmt.Errorf("knowledge directory %s: not a directory", dir)
	}
	a, kb, err := FS(os.DirFS(dir), target)
	return a, kb, Within(dir, err)
}

// FS is Dir for the knowledge in fsys; problems name files inside fsys.
func FS(fsys fs.FS, target float64) (*bot.Assistant, *knowledge.Base, error) {
	kb, err := knowledge.Load(fsys)
	if err != nil {
		return nil, nil, err
	}
	if ps := index.CheckSynonyms(kb.Synonyms); len(ps) > 0 {
		return nil, nil, ps
	}
	a, err := bot.New(kb, target)
	if err != nil {
		return nil, nil, fmt.Errorf("build the assistant: %w", err)
	}
	ps, err := Golden(a, kb.Tests)
	if err == nil && len(ps) > 0 {
		err = ps
	}
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	return a, kb, nil
}

// Within names the files of err's problems, when it holds any, as paths
// under dir; other errors are returned unchanged.
func Within(dir string, err error) error {
	var ps knowledge.Problems
	if !errors.As(err, &ps) || dir == "" {
		return err
	}
	out := make(knowledge.Problems, len(ps))
	for i, p := range ps {
		if p.File != "" {
			p.File = filepath.Join(dir, filepath.FromSlash(p.File))
		}
		out[i] = p
	}
	return out
}
