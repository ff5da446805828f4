package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

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

// maxTop bounds ask --top: more candidates than this say nothing more.
const maxTop = 50

// maxLine is how much of one stdin line ask --json reads; the assistant reads
// less (bot.MaxQuestion characters), so a longer line is answered like any
// other, from its start.
const maxLine = 4 * bot.MaxQuestion

// explainMode is the value of ask --explain: "" (off), "short" or "raw".
type explainMode string

func (m *explainMode) String() string { return string(*m) }
func (m *explainMode) Type() string   { return "bool" } // so that help shows a bare --explain
func (m *explainMode) Set(v string) error {
	switch v {
	case "short", "true":
		*m = "short"
	case "raw":
		*m = "raw"
	case "false":
		*m = ""
	default:
		return fmt.Errorf("%q: use --explain for a short breakdown or --explain=raw for every feature", v)
	}
	return nil
}

func newAskCmd(cfg *config, s streams) *cobra.Command {
	var (
		asJSON  bool
		explain explainMode
		top     int
	)
	cmd := &cobra.Command{
		Use:   "ask [flags] QUESTION...",
		Short: "Answer one question as the bot would, or questions from stdin with --json",
		Long: `Answer one question as the bot would. The words of the question may be given as one
quoted argument or several; flags may come before or after them (put -- before a
question that starts with "-").

With --json and no question, read questions from stdin, one per line, and write one
JSON object per line, in order (the contract is in README.md).`,
		Example: `  avnbot ask "how many sessions will I need?"
  avnbot ask --top 5 --explain "is ESWT done under anaesthetic?"
  echo "how many sessions" | avnbot ask --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("top") && (top < 1 || top > maxTop) {
				return usageError("--top %d: give a number from 1 to %d", top, maxTop)
			}
			question := strings.Join(args, " ")
			if question == "" && !asJSON {
				return usageError("ask needs a question, or --json to read questions from stdin")
			}
			return runAsk(cmd.Context(), *cfg, question, asJSON, explain, top, s)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "one JSON object per answer; with no QUESTION, read questions from stdin")
	f.Var(&explain, "explain", "show why: each candidate's probability, score, the features that moved it most and the words it lacks; --explain=raw adds every feature")
	f.Lookup("explain").NoOptDefVal = "true"
	f.IntVar(&top, "top", 0, fmt.Sprintf("list the `N` best matching entries (1 to %d)", maxTop))
	return cmd
}

func runAsk(ctx context.Context, cfg config, question string, asJSON bool, explain explainMode, top int, s streams) error {
	kb, err := loadKnowledge(cfg.KnowledgeDir)
	if err != nil {
		return err
	}
	a, err := bot.New(kb, 0)
	if err != nil {
		return err
	}
	defer a.Close()
	n := max(top, 3)
	if !asJSON {
		ans, tr, err := a.Explain(question, n)
		if err != nil {
			return err
		}
		writeText(s.out, ans, outputStyle(cfg, s.out))
		if explain != "" || top > 0 {
			writeTrace(s.out, tr, kb.Synonyms, explain == "raw")
		}
		return nil
	}
	enc := json.NewEncoder(s.out)
	enc.SetEscapeHTML(false)
	answer := func(q string) error {
		ans, tr, err := a.Explain(q, n)
		if err != nil {
			return err
		}
		l := jsonAnswer(q, ans)
		if top > 0 {
			l.Candidates = candidates(tr, top)
		}
		return enc.Encode(l)
	}
	if question != "" {
		return answer(question)
	}
	r := bufio.NewReader(s.in)
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := readLine(r, maxLine)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read questions: %w", err)
		}
		if err := answer(line); err != nil {
			return err
		}
	}
}

// readLine reads one line of any length and returns at most its first limit
// bytes (cut at a character boundary), without the line ending. It returns
// io.EOF only when there is no line left.
func readLine(r *bufio.Reader, limit int) (string, error) {
	var b []byte
	read := false
	for {
		chunk, err := r.ReadSlice('\n')
		if len(chunk) > 0 {
			read = true
			if room := limit - len(b); room > 0 {
				b = append(b, chunk[:min(room, len(chunk))]...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && read:
			err = nil
		case err != nil:
			return "", err
		}
		line := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if len(b) == limit { // cut: drop a split character
			for len(line) > 0 {
				if r, size := utf8.DecodeLastRuneInString(line); r != utf8.RuneError || size != 1 {
					break
				}
				line = line[:len(line)-1]
			}
		}
		return line, nil
	}
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
