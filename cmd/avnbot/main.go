// Command avnbot is the AVN shockwave FAQ assistant.
//
//	avnbot                  run on Discord when DISCORD_TOKEN is set, else an interactive console
//	avnbot ask QUESTION     answer one question (--json, --explain, --top N)
//	avnbot ask --json       answer questions from stdin, one JSON object per line
//	avnbot lint [DIR]       check a knowledge directory and list every problem
//	avnbot run              connect to Discord (gateway, and the HTTP endpoint when HTTP_ADDR is set)
//	avnbot unanswered       the most asked unanswered questions (DATABASE_URL)
//	avnbot stats            questions, answers, abstentions, votes and answer times (DATABASE_URL)
//
// Every command takes --help. Configuration comes from the environment and an
// optional .env file; see .env.example. This is the only package that reads
// the environment.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a command line that could not be understood (exit 2).
var errUsage = errors.New("usage")

// usageError wraps a message about the command line in errUsage.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// streams are the process's standard files, passed in so tests can use
// buffers or a pseudo-terminal.
type streams struct {
	in          io.Reader
	out, errOut io.Writer
}

// Main runs one command line and returns the process exit code: 0 on
// success, 1 when the command failed, 2 when the command line is wrong.
// Tests call it directly.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "avnbot:", err)
		return 2
	}
	root := newRoot(cfg, streams{stdin, stdout, stderr})
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		fmt.Fprintf(stderr, "avnbot: %s\nRun '%s --help' for usage.\n", msg, cmd.CommandPath())
		return 2
	default:
		fmt.Fprintln(stderr, "avnbot:", err)
		return 1
	}
}

// newRoot builds the command tree. cfg supplies the defaults that flags
// override.
func newRoot(cfg config, s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "avnbot",
		Short: "An FAQ assistant for avascular necrosis (AVN) of the hip and focused shockwave therapy",
		Long: `avnbot answers questions about avascular necrosis (AVN) of the hip and focused shockwave
therapy from a curated FAQ, quoting its source material.

With no command it runs on Discord when DISCORD_TOKEN is set, and otherwise opens an
interactive console. Configuration: environment variables or a .env file (see .env.example).`,
		Version:       version(),
		Args:          noArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.Discord.Token != "" {
				return runDiscord(cmd.Context(), cfg, nil, s.errOut)
			}
			return runConsole(cmd.Context(), cfg, s)
		},
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.errOut)
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError("%v", err) })
	root.PersistentFlags().StringVar(&cfg.KnowledgeDir, "knowledge", cfg.KnowledgeDir,
		"answer from this knowledge `directory` instead of the embedded one (KNOWLEDGE_DIR)")
	// cfg is captured by the commands below and the flag writes into it.
	c := &cfg
	root.AddCommand(newAdminCmds(c, s)...) // admin.go: unanswered, stats
	root.AddCommand(newAskCmd(c, s), newLintCmd(c, s), newCalibrateCmd(c, s), &cobra.Command{
		Use:   "run",
		Short: "Connect to Discord (needs DISCORD_TOKEN; HTTP_ADDR adds the interactions endpoint)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDiscord(cmd.Context(), *c, nil, s.errOut) // run.go's own flags are all on the command line already
		},
	})
	return root
}

// noArgs refuses positional arguments, naming a mistyped command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.HasSubCommands() {
		return usageError("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return usageError("%s takes no arguments, got %q", cmd.CommandPath(), args)
}

// version describes the build from the information the Go toolchain
// records: the module version (a tag when installed with go install
// ...@version), the commit when built from a checkout, and the Go version.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown version)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if rev != "" {
		v += fmt.Sprintf(" (commit %.12s%s)", rev, modified)
	}
	return v + ", " + bi.GoVersion
}
