package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/bot/discord"
	"github.com/avnbot/avnbot/knowledge"
)

// loadKnowledge loads the knowledge directory given by flag or
// KNOWLEDGE_DIR, or the embedded knowledge.
func loadKnowledge(dir string) (*knowledge.Base, error) {
	if dir == "" {
		return knowledge.Embedded()
	}
	return knowledge.LoadDir(dir)
}

func newAssistant(dir string) (*bot.Assistant, error) {
	kb, err := loadKnowledge(dir)
	if err != nil {
		return nil, err
	}
	return bot.New(kb, 0)
}

func runAsk(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "one JSON object per answer; with no question, read questions from stdin")
	explain := fs.Bool("explain", false, "show every piece of the message searched, its candidates, their probabilities and why")
	top := fs.Int("top", 0, "list the N best matching entries")
	dir := fs.String("knowledge", cfg.KnowledgeDir, "knowledge directory (default: the embedded knowledge)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	question := strings.Join(fs.Args(), " ")
	if question == "" && !*asJSON {
		return fmt.Errorf("%w: ask needs a question, or --json to read questions from stdin", errUsage)
	}
	a, err := newAssistant(*dir)
	if err != nil {
		return err
	}
	defer a.Close()
	n := max(*top, 3)
	if !*asJSON {
		ans, tr, err := a.Explain(question, n)
		if err != nil {
			return err
		}
		writeText(stdout, ans)
		if *explain || *top > 0 {
			writeTrace(stdout, tr, *explain)
		}
		return nil
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	answer := func(q string) error {
		ans, tr, err := a.Explain(q, n)
		if err != nil {
			return err
		}
		l := jsonAnswer(q, ans)
		if *top > 0 {
			l.Candidates = candidates(tr, *top)
		}
		return enc.Encode(l)
	}
	if question != "" {
		return answer(question)
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line := sc.Text()
		if err := answer(line); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	return nil
}

// jsonLine is the --json contract read by shared/eval/score.py (see README).
type jsonLine struct {
	Question   string         `json:"question"`
	Answered   bool           `json:"answered"`
	Kind       bot.Kind       `json:"kind"`
	Urgent     bool           `json:"urgent"`
	Crisis     bool           `json:"crisis"`
	Category   string         `json:"category,omitempty"`
	Guidance   string         `json:"guidance,omitempty"`
	Entry      *bot.Ref       `json:"entry"`
	Score      float64        `json:"score"`
	Confidence float64        `json:"confidence"`
	Answer     string         `json:"answer"`
	Citations  []bot.Citation `json:"citations"`
	Advice     string         `json:"advice"`
	Related    []bot.Ref      `json:"related"`
	Entries    []bot.Ref      `json:"entries"` // every entry the reply answers (a message may ask two things)
	Reply      any            `json:"reply"`
	Candidates []candidate    `json:"candidates,omitempty"` // with --top: the search's ranking
}

// candidate is one ranked entry in --json --top output.
type candidate struct {
	ID          string  `json:"id"`
	Question    string  `json:"question"`
	Score       float64 `json:"score"`
	Probability float64 `json:"probability"`
}

// candidates are the ranked candidates of the piece of the message that
// decided the reply (the first answered, else the whole message).
func candidates(tr bot.Trace, top int) []candidate {
	if len(tr.Pieces) == 0 {
		return []candidate{}
	}
	p := tr.Pieces[0]
	for _, q := range tr.Pieces {
		if q.Answered {
			p = q
			break
		}
	}
	out := []candidate{}
	for _, c := range p.Candidates[:min(top, len(p.Candidates))] {
		out = append(out, candidate{ID: c.ID, Question: c.Question, Score: c.Score, Probability: c.Probability})
	}
	return out
}

func jsonAnswer(q string, a bot.Answer) jsonLine {
	l := jsonLine{
		Question: q, Answered: a.Kind == bot.Answered, Kind: a.Kind, Urgent: a.Urgent, Crisis: a.Crisis,
		Category: a.Category, Guidance: a.Guidance, Entry: a.Entry, Score: a.Score, Confidence: a.Confidence,
		Answer: a.Text, Citations: a.Citations, Advice: a.Advice, Related: a.Related, Reply: discord.Render(a),
	}
	if l.Citations == nil {
		l.Citations = []bot.Citation{}
	}
	if l.Related == nil {
		l.Related = []bot.Ref{}
	}
	l.Entries = []bot.Ref{}
	if a.Entry != nil {
		l.Entries = append(l.Entries, *a.Entry)
	}
	for _, m := range a.More {
		l.Entries = append(l.Entries, m.Entry)
		l.Citations = append(l.Citations, m.Citations...)
	}
	return l
}

// writeText renders an answer for a terminal.
func writeText(w io.Writer, a bot.Answer) {
	// Guidance first; the red-flag category is never shown to the person.
	if a.Urgent {
		fmt.Fprintf(w, "!! %s\n\n", a.Guidance)
	}
	switch a.Kind {
	case bot.Answered:
		fmt.Fprintf(w, "Q: %s   [%s, score %.3f, probability %.2f]\n\n%s\n", a.Entry.Question, a.Entry.ID, a.Score, a.Confidence, a.Text)
		for _, c := range a.Citations {
			fmt.Fprintf(w, "\n  > %s\n    — %s\n", c.Quote, c.Source)
		}
		for _, m := range a.More {
			fmt.Fprintf(w, "\nQ: %s   [%s, probability %.2f]\n\n%s\n", m.Entry.Question, m.Entry.ID, m.Confidence, m.Text)
			for _, c := range m.Citations {
				fmt.Fprintf(w, "\n  > %s\n    — %s\n", c.Quote, c.Source)
			}
		}
	default:
		if a.Text != "" {
			fmt.Fprintln(w, a.Text)
		}
	}
	if len(a.Related) > 0 {
		fmt.Fprintln(w, "\nRelated:")
		for _, r := range a.Related {
			fmt.Fprintf(w, "  - %s  (%s)\n", r.Question, r.ID)
		}
	}
	if a.Crisis && a.Closing != "" {
		fmt.Fprintf(w, "\n%s\n", a.Closing) // no treatment advice in a crisis
		return
	}
	fmt.Fprintf(w, "\n%s\n", a.Advice)
}

func writeTrace(w io.Writer, tr bot.Trace, explain bool) {
	fmt.Fprintf(w, "\n--- decided at probability >= %.2f\n", tr.Target)
	for _, p := range tr.Pieces {
		kind := "part"
		if p.Whole {
			kind = "message"
		}
		mark := ""
		if p.Answered {
			mark = "  <- answered"
		}
		fmt.Fprintf(w, "--- searched: %q (%s, asks %v)%s\n", p.Searched, kind, p.Asks, mark)
		for _, c := range p.Corrections {
			fmt.Fprintf(w, "    corrected %q -> %q\n", c.From, c.To)
		}
		for i, c := range p.Candidates {
			fmt.Fprintf(w, "%2d. %-30s score %7.3f  probability %.2f  cover %.2f  missing %v\n", i+1, c.ID, c.Score, c.Probability, c.Features.Cover, c.Missing)
			if explain {
				fmt.Fprintf(w, "    why: %s\n", c.Why)
			}
		}
	}
}
