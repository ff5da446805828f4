package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// console is avnbot with no token, run in-process on a pseudo-terminal, as
// a person at a terminal would run it.
type console struct {
	t    *testing.T
	ptmx *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	code chan int
	seen int // output before this offset has been matched
}

func startConsole(t *testing.T, cols uint16, env ...string) *console {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DISCORD_TOKEN", "")
	t.Setenv("KNOWLEDGE_DIR", "")
	t.Setenv("NO_COLOR", "")
	for i := 0; i+1 < len(env); i += 2 {
		t.Setenv(env[i], env[i+1])
	}
	c := &console{t: t, ptmx: ptmx, code: make(chan int, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			c.mu.Lock()
			c.out.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { c.code <- Main(context.Background(), nil, tty, tty, tty) }()
	c.expect("help")
	return c
}

// send types keys to the console.
func (c *console) send(keys string) {
	c.t.Helper()
	if _, err := io.WriteString(c.ptmx, keys); err != nil {
		c.t.Fatal(err)
	}
}

// expect waits until the output after the last match contains want, and
// returns that output. The wait only guards against a hung test.
func (c *console) expect(want string) string {
	c.t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		s := c.out.String()[c.seen:]
		c.mu.Unlock()
		if i := strings.Index(s, want); i >= 0 {
			c.seen += i + len(want)
			return s[:i+len(want)]
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Fatalf("console output lacks %q:\n%q", want, c.out.String()[c.seen:])
	return ""
}

// exit waits for Main to return.
func (c *console) exit() int {
	c.t.Helper()
	select {
	case code := <-c.code:
		return code
	case <-time.After(time.Minute):
		c.t.Fatal("the console did not quit")
		return -1
	}
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func TestConsoleTerminal(t *testing.T) {
	const cols = 60
	c := startConsole(t, cols)

	// Arrow keys edit the line: "tpics", four times Left, "o" is "topics".
	c.send("tpics\x1b[D\x1b[D\x1b[D\x1b[Do\r")
	c.expect("(what-is-avn)")
	// Two Enters do not end the session, and help is the console's own.
	c.send("\r\rhelp\r")
	out := c.expect("quit")
	if strings.Contains(out, "/faq") || !strings.Contains(out, "topics") {
		t.Errorf("help:\n%s", out)
	}
	c.send("how long is a session?\r")
	out = c.expect("medical assessment")
	if !strings.Contains(out, "20 to 30") {
		t.Errorf("answer:\n%s", out)
	}
	// Bold is rendered, not printed as asterisks; lines are soft-wrapped
	// between words to the terminal's width.
	if strings.Contains(out, "**") || !strings.Contains(out, "\x1b[1m") {
		t.Errorf("bold not rendered:\n%q", out)
	}
	for _, line := range strings.Split(ansi.ReplaceAllString(out, ""), "\n") {
		line = strings.TrimRight(line, "\r")
		if n := len([]rune(line)); n > cols {
			t.Errorf("line of %d columns on a %d-column terminal: %q", n, cols, line)
		}
	}
	// Up recalls the last question.
	c.send("\x1b[A\r")
	c.expect("medical assessment")
	// Ctrl-C quits cleanly.
	c.send("\x03")
	if code := c.exit(); code != 0 {
		t.Errorf("Ctrl-C: exit %d", code)
	}
}

func TestConsoleTerminalCtrlD(t *testing.T) {
	c := startConsole(t, 80, "NO_COLOR", "1")
	c.send("does it hurt?\r")
	out := c.expect("medical assessment")
	if strings.Contains(out, "\x1b[1m") || strings.Contains(out, "**") {
		t.Errorf("NO_COLOR: styles or markers in\n%q", out)
	}
	c.send("\x04")
	if code := c.exit(); code != 0 {
		t.Errorf("Ctrl-D: exit %d", code)
	}
}

// TestConsoleSignal: on a pipe, SIGINT (a cancelled context) ends the
// console while it waits for a line, instead of answering the next one.
func TestConsoleSignal(t *testing.T) {
	t.Setenv("DISCORD_TOKEN", "")
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncWriter
	out.w = &bytes.Buffer{}
	code := make(chan int, 1)
	go func() { code <- Main(ctx, nil, pr, &out, io.Discard) }()
	io.WriteString(pw, "how long is a session?\n")
	for !strings.Contains(out.String(), "medical assessment") {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit %d", c)
		}
	case <-time.After(time.Minute):
		t.Fatal("the console did not stop on SIGINT")
	}
}
