package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// runConsole is the interactive console used when there is no Discord token.
func runConsole(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("avnbot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("knowledge", cfg.KnowledgeDir, "knowledge directory (default: the embedded knowledge)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	a, err := newAssistant(*dir)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "avnbot console: %d FAQ entries on AVN of the hip and focused shockwave therapy.\n", len(a.Topics()))
	fmt.Fprintln(stdout, "No DISCORD_TOKEN is set, so this answers here. To connect to Discord, put DISCORD_TOKEN in .env (see README).")
	fmt.Fprintln(stdout, "Ask a question; \"topics\" lists the FAQ, an empty line or Ctrl-D quits.")
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for {
		fmt.Fprint(stdout, "\n> ")
		if ctx.Err() != nil || !sc.Scan() {
			fmt.Fprintln(stdout)
			return sc.Err()
		}
		q := strings.TrimSpace(sc.Text())
		switch strings.ToLower(q) {
		case "", "quit", "exit":
			return nil
		case "topics":
			for _, r := range a.Topics() {
				fmt.Fprintf(stdout, "  - %s  (%s)\n", r.Question, r.ID)
			}
			continue
		}
		fmt.Fprintln(stdout)
		ans, err := a.Ask(q)
		if err != nil {
			return err
		}
		writeText(stdout, ans)
	}
}
