package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/knowledge"
)

// writeTrace prints how a message was decided (ask --top and --explain):
// each piece of the message searched, then one short block per candidate.
// raw adds every feature the decision read. Everything that depends on the
// shape of bot.Trace is here, so the engine can change it in one place; syn
// names the synonym groups that the engine's units may refer to.
func writeTrace(w io.Writer, tr bot.Trace, syn []knowledge.Synonyms, raw bool) {
	fmt.Fprintf(w, "\nAn entry answers at probability %.2f or more.\n", tr.Target)
	for _, f := range tr.Flags {
		where := "the learned backstop"
		if f.Line > 0 {
			where = fmt.Sprintf("safety.yaml:%d", f.Line)
		}
		fmt.Fprintf(w, "\nRed flag: %s (%s), crisis %v\n  sign: %s\n", f.Category, where, f.Crisis, f.Sign)
	}
	for _, f := range tr.Withdrawn {
		fmt.Fprintf(w, "\nRed flag withdrawn: %s (safety.yaml:%d)\n  sign: %s\n", f.Category, f.Line, f.Sign)
	}
	for _, p := range tr.Pieces {
		what := "a part of the message"
		if p.Whole {
			what = "the whole message"
		}
		if p.Asks {
			what += ", a question"
		}
		mark := ""
		if p.Answered {
			mark = "  <- answered"
		}
		fmt.Fprintf(w, "\nSearched: %q (%s)%s\n", p.Searched, what, mark)
		for _, c := range p.Corrections {
			fmt.Fprintf(w, "  spelling: %q read as %q\n", c.From, c.To)
		}
		if len(p.Candidates) == 0 {
			fmt.Fprintln(w, "  no candidates: nothing in it is in the FAQ")
		}
		for i, c := range p.Candidates {
			fmt.Fprintf(w, "%2d. %s  probability %.2f, score %.3f\n", i+1, c.ID, c.Probability, c.Score)
			fmt.Fprintf(w, "    %s\n", c.Question)
			if c.Why != "" {
				fmt.Fprintf(w, "    why:   %s\n", c.Why)
			}
			missing := make([]string, len(c.Missing))
			for i, u := range c.Missing {
				missing[i] = unitName(u, syn)
			}
			fmt.Fprintf(w, "    lacks: %s\n", listOr(missing, "nothing"))
			if raw {
				f := c.Features
				fmt.Fprintf(w, "    features: cover %.3f, cover by best phrasing %.3f, reverse %.3f, score share %.3f, missing %.3f, relevance %.3f, lead %.3f, unknown %.3f, length %.3f\n",
					f.Cover, f.CoverPhrasing, f.Reverse, f.Score, f.Missing, f.Relevance, f.Lead, f.Unknown, f.Length)
			}
		}
	}
}

// unitName makes a unit of the question readable: a stemmed word as it is,
// a synonym group ("≡N") by its first term.
func unitName(u string, syn []knowledge.Synonyms) string {
	n, err := strconv.Atoi(strings.TrimPrefix(u, "≡"))
	if !strings.HasPrefix(u, "≡") || err != nil || n < 0 || n >= len(syn) || len(syn[n]) == 0 {
		return u
	}
	return strconv.Quote(syn[n][0]) + " or a synonym"
}

func listOr(xs []string, none string) string {
	if len(xs) == 0 {
		return none
	}
	return strings.Join(xs, ", ")
}
