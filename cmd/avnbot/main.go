// Command avnbot is the AVN shockwave FAQ assistant.
//
//	avnbot                  run on Discord when DISCORD_TOKEN is set, else an interactive console
//	avnbot ask QUESTION     answer one question (--json, --explain, --top N)
//	avnbot ask --json       answer questions from stdin, one JSON object per line
//	avnbot lint [DIR]       check a knowledge directory and list every problem
//	avnbot run              connect to Discord (gateway, and the HTTP endpoint when HTTP_ADDR is set)
//
// Configuration comes from the environment and an optional .env file; see
// .env.example. This is the only package that reads the environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a command line that could not be understood.
var errUsage = errors.New("usage")

const usage = `avnbot: an FAQ assistant for avascular necrosis (AVN) of the hip and focused shockwave therapy.

Usage:
  avnbot                    run on Discord if DISCORD_TOKEN is set, else an interactive console
  avnbot ask [flags] QUESTION
                            answer one question as the bot would
      --json                one JSON object per answer; with no QUESTION, read questions from stdin
      --explain             show why: candidates, coverage and bleve's score breakdown
      --top N               list the N best matching entries
  avnbot lint [DIR]         check a knowledge directory (default: KNOWLEDGE_DIR or the embedded one)
  avnbot run                connect to Discord (needs DISCORD_TOKEN; HTTP_ADDR adds the interactions endpoint)

Every command takes --knowledge DIR to answer from a knowledge directory instead of the embedded one.
Configuration: environment variables or a .env file (see .env.example).
`

// Main runs one command and returns the process exit code. Tests call it
// directly.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "avnbot:", err)
		return 2
	}
	cmd, rest := "", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "":
		if cfg.Discord.Token != "" {
			err = runDiscord(ctx, cfg, rest, stderr)
		} else {
			err = runConsole(ctx, cfg, rest, stdin, stdout, stderr)
		}
	case "ask":
		err = runAsk(ctx, cfg, rest, stdin, stdout, stderr)
	case "lint":
		err = runLint(cfg, rest, stdout)
	case "run":
		err = runDiscord(ctx, cfg, rest, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "avnbot: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintln(stderr, "avnbot:", err)
		return 1
	}
}
