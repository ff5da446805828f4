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
	return bot.New(kb)
}

func runAsk(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "one JSON object per answer; with no question, read questions from stdin")
	explain := fs.Bool("explain", false, "show the candidates, their coverage and bleve's score breakdown")
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
		ans, tr := a.Explain(question, n, *explain)
		writeText(stdout, ans)
		if *explain || *top > 0 {
			writeTrace(stdout, tr, *explain)
		}
		return nil
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if question != "" {
		return enc.Encode(jsonAnswer(question, a.Ask(question)))
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line := sc.Text()
		if err := enc.Encode(jsonAnswer(line, a.Ask(line))); err != nil {
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
	Reply      any            `json:"reply"`
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
	return l
}

// writeText renders an answer for a terminal.
func writeText(w io.Writer, a bot.Answer) {
	if a.Urgent {
		fmt.Fprintf(w, "!! URGENT (%s)\n%s\n\n", a.Category, a.Guidance)
	}
	switch a.Kind {
	case bot.Answered:
		fmt.Fprintf(w, "Q: %s   [%s, score %.3f, coverage %.2f]\n\n%s\n", a.Entry.Question, a.Entry.ID, a.Score, a.Confidence, a.Text)
		for _, c := range a.Citations {
			fmt.Fprintf(w, "\n  > %s\n    — %s\n", c.Quote, c.Source)
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
	fmt.Fprintf(w, "\n%s\n", a.Advice)
}

func writeTrace(w io.Writer, tr bot.Trace, explain bool) {
	fmt.Fprintf(w, "\n--- searched: %q\n", tr.Searched)
	for _, c := range tr.Corrections {
		fmt.Fprintf(w, "    corrected %q -> %q\n", c.From, c.To)
	}
	if tr.Part != "" {
		fmt.Fprintf(w, "    answered the part: %q\n", tr.Part)
	}
	for i, c := range tr.Candidates {
		fmt.Fprintf(w, "%2d. %-30s score %7.3f  coverage %.2f  fields %v  missing %v\n", i+1, c.ID, c.Score, c.Coverage, c.Fields, c.Missing)
		if explain && c.Explanation != "" {
			fmt.Fprintf(w, "    %s\n", strings.ReplaceAll(c.Explanation, "\n", "\n    "))
		}
	}
}
