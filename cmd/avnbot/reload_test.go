package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
	"github.com/avnbot/avnbot/bot/live"
	"github.com/avnbot/avnbot/knowledge"
)

const zorblaxEntry = `---
id: zorblax-protocol
question: What is the zorblax protocol?
citations:
  - source: avn-shockwave
    quote: "Usually, the therapy is given over a few sessions with each session lasting 20 to 30 minutes."
reviewed: 2026-11-25
---
The zorblax protocol is a few sessions of 20 to 30 minutes each.
`

func copyKnowledge(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, knowledge.EmbeddedFS()); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "faq"), 0o755)
	return dir
}

// TestReloadOnHangup: SIGHUP reloads the knowledge.
func TestReloadOnHangup(t *testing.T) {
	// Our own subscription first, so that a SIGHUP sent before
	// reloadOnHangup subscribes cannot stop the test process.
	mine := make(chan os.Signal, 1)
	signal.Notify(mine, syscall.SIGHUP)
	defer signal.Stop(mine)

	dir := copyKnowledge(t)
	reports := make(chan live.Report, 8)
	a, err := live.New(dir, live.Options{OnReload: func(r live.Report) { reports <- r }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { reloadOnHangup(ctx, a); close(done) }()
	defer func() { cancel(); <-done }()

	if err := os.WriteFile(filepath.Join(dir, "faq", "zorblax-protocol.md"), []byte(zorblaxEntry), 0o644); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	give := time.After(2 * time.Minute) // a hang, not a speed limit
	for {
		syscall.Kill(os.Getpid(), syscall.SIGHUP) // again until reloadOnHangup has subscribed
		select {
		case r := <-reports:
			if !r.OK() || !slices.Equal(r.Added, []string{"zorblax-protocol"}) {
				t.Fatalf("reload on SIGHUP: %v", r)
			}
			return
		case <-tick.C:
		case <-give:
			t.Fatal("no reload on SIGHUP")
		}
	}
}

// TestMainRunReload: `avnbot run` with KNOWLEDGE_DIR set watches it: a
// saved entry goes live, a broken one is refused and logged with its file
// and line, and /metrics counts both and names the version served.
func TestMainRunReload(t *testing.T) {
	srv := discordtest.New(t)
	dir := copyKnowledge(t)
	t.Setenv("DISCORD_TOKEN", "test-token")
	t.Setenv("DISCORD_APP_ID", discordtest.ApplicationID)
	t.Setenv("DISCORD_GUILD_ID", "1300000000000000001")
	t.Setenv("DISCORD_API_BASE", srv.URL())
	t.Setenv("HTTP_ADDR", "")
	t.Setenv("LOG_FORMAT", "json")
	t.Setenv("KNOWLEDGE_DIR", dir)
	t.Setenv("METRICS_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncWriter
	errb.w, out.w = &bytes.Buffer{}, &bytes.Buffer{}
	code := make(chan int, 1)
	go func() { code <- Main(ctx, nil, strings.NewReader(""), &out, &errb) }()
	wctx, wcancel := context.WithTimeout(context.Background(), time.Minute)
	defer wcancel()
	if err := srv.WaitReady(wctx); err != nil {
		t.Fatalf("WaitReady: %v; stderr:\n%s", err, errb.String())
	}
	logged := func(what string) {
		t.Helper()
		for !strings.Contains(errb.String(), what) {
			select {
			case <-wctx.Done(): // a hang, not a speed limit
				t.Fatalf("stderr lacks %s:\n%s", what, errb.String())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	logged(`"msg":"watching the knowledge directory"`)
	if err := os.WriteFile(filepath.Join(dir, "faq", "zorblax-protocol.md"), []byte(zorblaxEntry), 0o644); err != nil {
		t.Fatal(err)
	}
	logged(`"added":["zorblax-protocol"]`)
	if err := os.WriteFile(filepath.Join(dir, "faq", "zorblax-protocol.md"), []byte(strings.Replace(zorblaxEntry, "quote:", "qoute:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	logged(`"msg":"knowledge reload refused; the last good knowledge stays live"`)
	logged(`"problem":"` + filepath.Join(dir, "faq", "zorblax-protocol.md") + `:6: citations[0].qoute: unknown key; did you mean \"quote\"?"`)
	var addr, version string
	for _, line := range strings.Split(errb.String(), "\n") {
		var l struct{ Msg, Addr, Version string }
		if json.Unmarshal([]byte(line), &l) == nil {
			switch l.Msg {
			case "metrics listening":
				addr = l.Addr
			case "knowledge reloaded":
				version = l.Version
			}
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"avnbot_knowledge_reloads_total 1\n", "avnbot_knowledge_reload_failures_total 1\n", `avnbot_knowledge_info{version="` + version + `"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	cancel()
	if c := exitCode(t, code, time.Minute); c != 0 {
		t.Errorf("exit %d; stderr:\n%s", c, errb.String())
	}
}
