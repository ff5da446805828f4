package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// readmeSkip lists the README commands this test does not run, and why.
var readmeSkip = map[string]string{
	"go test ./...":                        "it is the test suite this test is part of",
	"go test ./store":                      "a test suite, run by go test ./... and CI",
	"go test -run XXX -bench . ./store":    "benchmarks: they measure, they do not check the README",
	`eval "$(bash .ci/postgres.sh start)"`: "starts a PostgreSQL server (installing it as root if missing); CI runs it around the tests",
	"bash .ci/postgres.sh stop":            "stops the server the line above starts",
}

// readmeCommands returns the commands in the README's sh code blocks, with
// their line numbers, comments and blank lines left out.
func readmeCommands(t *testing.T, path string) (cmds []string, lines []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "```"):
			lang := strings.TrimSpace(strings.TrimPrefix(l, "```"))
			in = !in && (lang == "sh" || lang == "bash" || lang == "shell")
		case in:
			if c := stripComment(l); c != "" {
				cmds, lines = append(cmds, c), append(lines, n)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cmds, lines
}

// stripComment drops a shell comment (a # after white space, outside
// quotes) and surrounding space.
func stripComment(l string) string {
	quote := rune(0)
	for i, r := range l {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t'):
			return strings.TrimSpace(l[:i])
		}
	}
	return strings.TrimSpace(l)
}

// TestReadmeCommands runs every command of the README's sh blocks, with
// `go run ./cmd/avnbot` replaced by a binary built once, from the
// repository root, with no Discord token and no input. Each must succeed
// and say something, so the README cannot drift from the program.
func TestReadmeCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the README's commands are for a POSIX shell")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "avnbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmds, lines := readmeCommands(t, filepath.Join(root, "README.md"))
	if len(cmds) < 8 {
		t.Fatalf("found only %d commands in README.md: %q", len(cmds), cmds)
	}
	for i, c := range cmds {
		t.Run(c, func(t *testing.T) {
			if why, ok := readmeSkip[c]; ok {
				t.Skipf("README.md:%d: not run: %s", lines[i], why)
			}
			if !strings.Contains(c, "go run ./cmd/avnbot") {
				t.Fatalf("README.md:%d: %q does not run avnbot; add it to readmeSkip with a reason", lines[i], c)
			}
			cmd := exec.Command("sh", "-c", strings.ReplaceAll(c, "go run ./cmd/avnbot", bin))
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "DISCORD_TOKEN=", "KNOWLEDGE_DIR=", "NO_COLOR=")
			out, err := cmd.CombinedOutput()
			if err != nil || len(strings.TrimSpace(string(out))) == 0 {
				t.Errorf("README.md:%d: %s: %v\n%s", lines[i], c, err, out)
			}
		})
	}
}

func TestStripComment(t *testing.T) {
	for in, want := range map[string]string{
		`go run ./cmd/avnbot   # runs it`: "go run ./cmd/avnbot",
		`ask "is it #1?"  # the best`:     `ask "is it #1?"`,
		`# only a comment`:                "",
		`echo 'a # b' | avnbot`:           `echo 'a # b' | avnbot`,
		`url#fragment`:                    "url#fragment",
	} {
		if got := stripComment(in); got != want {
			t.Errorf("stripComment(%q) = %q, want %q", in, got, want)
		}
	}
}
