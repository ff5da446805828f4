package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/avnbot/avnbot/bot"
)

const consoleHelp = `Type a question in your own words and press Enter. Commands:
  topics      list the FAQ's questions
  help        this text
  quit        leave (or Ctrl-D, Ctrl-C)
On a terminal, the arrow keys edit the line and Up and Down recall earlier questions.`

// runConsole is the interactive console used when there is no Discord token.
// On a terminal it edits lines (arrows, history) and styles answers; on pipes
// it reads plain lines and writes plain text.
func runConsole(ctx context.Context, cfg config, s streams) error {
	a, err := newAssistant(cfg.KnowledgeDir)
	if err != nil {
		return err
	}
	defer a.Close()

	lines, out, st, done := consoleIO(cfg, s)
	defer done()
	fmt.Fprintf(out, "avnbot console: %d FAQ entries on AVN of the hip and focused shockwave therapy.\n", len(a.Topics()))
	fmt.Fprintln(out, "No DISCORD_TOKEN is set, so this answers here. To connect to Discord, put DISCORD_TOKEN in .env (see README).")
	fmt.Fprintln(out, `Ask a question; "help" lists the commands, "quit" or Ctrl-D leaves.`)
	for {
		q, err := lines.next(ctx, st)
		if err != nil {
			fmt.Fprintln(out)
			if errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		q = strings.TrimSpace(q)
		switch strings.ToLower(q) {
		case "":
			continue
		case "quit", "exit", "bye":
			return nil
		case "help", "?":
			for _, l := range strings.Split(consoleHelp, "\n") {
				indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
				st.paragraph(out, l, indent, indent+"            ")
			}
			continue
		case "topics":
			for _, r := range a.Topics() {
				st.paragraph(out, r.Question+" "+st.sgr(sgrDim, "("+r.ID+")"), "  - ", "    ")
			}
			continue
		}
		ans, err := a.Ask(q)
		if err != nil {
			return err
		}
		if ans.Kind == bot.OffTopic {
			// The assistant's help text names Discord's /faq; here it is "topics".
			ans.Text = strings.ReplaceAll(ans.Text, "/faq", `"topics"`)
		}
		fmt.Fprintln(out)
		writeText(out, ans, *st)
	}
}

// lineSource reads the console's input one line at a time. next returns
// io.EOF at the end of input (Ctrl-D, or Ctrl-C on a terminal) and the
// context's error when it is cancelled (SIGINT, SIGTERM).
type lineSource interface {
	next(ctx context.Context, st *style) (string, error)
}

// consoleIO picks the console's input and output: a line-editing terminal
// when stdin and stdout are both terminals, else plain lines. done restores
// the terminal.
func consoleIO(cfg config, s streams) (lines lineSource, out io.Writer, st *style, done func()) {
	in, inOK := s.in.(*os.File)
	outF, outOK := s.out.(*os.File)
	if inOK && outOK && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(outF.Fd())) {
		if old, err := term.MakeRaw(int(in.Fd())); err == nil {
			t := term.NewTerminal(struct {
				io.Reader
				io.Writer
			}{in, outF}, "> ")
			tl := &termLines{t: t, fd: int(outF.Fd()), lines: make(chan lineResult)}
			width, _, _ := term.GetSize(tl.fd)
			style := terminalStyle(cfg, width)
			if style.color {
				t.SetPrompt(string(t.Escape.Cyan) + "> " + string(t.Escape.Reset))
			}
			return tl, t, &style, func() { term.Restore(int(in.Fd()), old) }
		}
	}
	pl := &pipeLines{out: s.out, lines: make(chan lineResult)}
	go pl.read(bufio.NewReader(s.in))
	return pl, s.out, &plainStyle, func() {}
}

type lineResult struct {
	line string
	err  error
}

// termLines reads lines from a terminal in raw mode with x/term's line
// editor: arrows, Home/End, Ctrl-U/K/W, history with Up and Down.
type termLines struct {
	t       *term.Terminal
	fd      int
	lines   chan lineResult
	reading bool
}

func (tl *termLines) next(ctx context.Context, st *style) (string, error) {
	// Follow the terminal's width, which the user may have changed.
	if w, h, err := term.GetSize(tl.fd); err == nil {
		tl.t.SetSize(w, h)
		st.width = w
	}
	io.WriteString(tl.t, "\n")
	if !tl.reading {
		tl.reading = true
		go func() {
			l, err := tl.t.ReadLine()
			tl.lines <- lineResult{l, err}
		}()
	}
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-tl.lines:
		tl.reading = false
		return r.line, r.err
	}
}

// pipeLines reads lines of any length from a pipe or file; the reading
// goroutine lets a signal end the console while it waits for input.
type pipeLines struct {
	out   io.Writer
	lines chan lineResult
}

func (pl *pipeLines) read(r *bufio.Reader) {
	for {
		l, err := readLine(r, maxLine)
		pl.lines <- lineResult{l, err}
		if err != nil {
			return
		}
	}
}

func (pl *pipeLines) next(ctx context.Context, _ *style) (string, error) {
	fmt.Fprint(pl.out, "\n> ")
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-pl.lines:
		return r.line, r.err
	}
}
