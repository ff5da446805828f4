package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/avnbot/avnbot/bot/check"
	"github.com/avnbot/avnbot/knowledge"
)

// lintFormats are the output formats of lint.
var lintFormats = []string{"text", "json", "github"}

func newLintCmd(cfg *config, s streams) *cobra.Command {
	format := "text"
	cmd := &cobra.Command{
		Use:   "lint [flags] [DIR]",
		Short: "Check a knowledge directory and list every problem (default: --knowledge, KNOWLEDGE_DIR or the embedded one)",
		Long: `Check a knowledge directory and list every problem, each with its file, line and field
and how to fix it; exit 1 when there is any. Paths are printed as DIR was given, so an
editor or CI can jump to them.

Formats: text (file:line: field: message), json (one object), github (GitHub Actions
::error annotations).`,
		Example: `  avnbot lint                    # the embedded knowledge
  avnbot lint knowledge/content  # a directory
  avnbot lint --format github knowledge/content`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError("lint takes at most one directory, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !contains(lintFormats, format) {
				return usageError("--format %q: use %s", format, strings.Join(lintFormats, ", "))
			}
			dir := cfg.KnowledgeDir
			if len(args) == 1 {
				dir = args[0]
			}
			return runLint(dir, format, s.out)
		},
	}
	cmd.Flags().StringVar(&format, "format", format, "output `format`: "+strings.Join(lintFormats, ", "))
	return cmd
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// runLint checks a knowledge directory as a reload would (check.Dir: the
// loader, the synonyms, the golden questions) and prints every problem.
func runLint(dir, format string, stdout io.Writer) error {
	name := dir
	if name == "" {
		name = "the embedded knowledge"
	}
	a, kb, err := check.Dir(dir, 0)
	var ps knowledge.Problems
	switch {
	case errors.As(err, &ps):
	case err != nil:
		return err
	default:
		a.Close()
	}
	switch format {
	case "json":
		out := struct {
			Dir      string              `json:"dir"`
			OK       bool                `json:"ok"`
			Problems []knowledge.Problem `json:"problems"`
		}{name, len(ps) == 0, ps}
		if out.Problems == nil {
			out.Problems = []knowledge.Problem{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	case "github":
		for _, p := range ps {
			fmt.Fprintln(stdout, githubAnnotation(p))
		}
	default:
		for _, p := range ps {
			fmt.Fprintln(stdout, p)
		}
	}
	if len(ps) > 0 {
		return fmt.Errorf("%s: %d problem(s)", name, len(ps))
	}
	if format != "json" { // for github, a plain line in the job's log
		fmt.Fprintf(stdout, "%s: ok (%d entries, %d sources, %d synonym groups, %d red-flag categories, %d golden questions pass)\n",
			name, len(kb.Entries), len(kb.Sources), len(kb.Synonyms), len(kb.Safety.RedFlags), len(kb.Tests))
	}
	return nil
}

// githubAnnotation is p as a GitHub Actions workflow command, which shows it
// on the line of the file in a pull request.
func githubAnnotation(p knowledge.Problem) string {
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	data := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	var b strings.Builder
	b.WriteString("::error file=" + prop.Replace(filepath.ToSlash(p.File)))
	if p.Line > 0 {
		fmt.Fprintf(&b, ",line=%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ",col=%d", p.Column)
		}
	}
	if p.Field != "" {
		b.WriteString(",title=" + prop.Replace(p.Field))
	}
	b.WriteString("::" + data.Replace(p.Msg))
	return b.String()
}
