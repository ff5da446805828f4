package check

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/knowledge"
)

// Asker answers questions; *bot.Assistant is one.
type Asker interface {
	Ask(question string) (bot.Answer, error)
}

// Golden asks a each golden question and returns a problem, at the
// question's line of tests.yaml, for every answer that is not what the test
// expects:
//
//   - an entry id: that entry answers (first, or as the answer to a further
//     question of the same message);
//   - "none": no entry answers and no red flag is raised;
//   - "urgent": a red flag is raised (urgent or crisis guidance).
//
// An error is returned only when the assistant fails to answer at all.
func Golden(a Asker, tests []knowledge.Test) (knowledge.Problems, error) {
	var ps knowledge.Problems
	for _, t := range tests {
		ans, err := a.Ask(t.Question)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", knowledge.TestsFile, t.Line, err)
		}
		if Passes(t, ans) {
			continue
		}
		ps = append(ps, knowledge.Problem{File: knowledge.TestsFile, Line: t.Line,
			Msg: fmt.Sprintf("%s expected %s, got %s", strconv.Quote(t.Question), t.Expect, Got(ans))})
	}
	return ps, nil
}

// Passes reports whether ans is what t expects.
func Passes(t knowledge.Test, ans bot.Answer) bool {
	switch t.Expect {
	case knowledge.ExpectUrgent:
		return ans.Urgent
	case knowledge.ExpectNone:
		return !ans.Urgent && ans.Kind != bot.Answered
	}
	return ans.Kind == bot.Answered && slices.Contains(answered(ans), t.Expect)
}

// Got describes an answer in a moderator's terms: "no_match (probability
// 0.31, closest: session-length)", "number-of-sessions (probability 0.92)",
// "urgent (no entry)".
func Got(ans bot.Answer) string {
	var s string
	switch {
	case ans.Kind == bot.Answered:
		s = fmt.Sprintf("%s (probability %.2f)", ans.Entry.ID, ans.Confidence)
		for _, m := range ans.More {
			s += fmt.Sprintf(" and %s (probability %.2f)", m.Entry.ID, m.Confidence)
		}
	case len(ans.Related) > 0:
		s = fmt.Sprintf("%s (probability %.2f, closest: %s)", ans.Kind, ans.Confidence, ans.Related[0].ID)
	default:
		s = string(ans.Kind)
	}
	if ans.Urgent {
		s = "urgent, " + s
	}
	return s
}

func answered(ans bot.Answer) []string {
	ids := []string{ans.Entry.ID}
	for _, m := range ans.More {
		ids = append(ids, m.Entry.ID)
	}
	return ids
}
