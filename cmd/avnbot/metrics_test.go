package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
)

// TestMainMetrics: with METRICS_ADDR, `avnbot run` serves /metrics and
// /healthz, in HTTP-endpoint-only mode too (no gateway, no token).
func TestMainMetrics(t *testing.T) {
	srv := discordtest.New(t)
	t.Setenv("DISCORD_TOKEN", "")
	t.Setenv("DISCORD_GATEWAY", "false")
	t.Setenv("DISCORD_PUBLIC_KEY", strings.Repeat("ab", 32))
	t.Setenv("HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("METRICS_ADDR", "127.0.0.1:0")
	t.Setenv("DISCORD_API_BASE", srv.URL())
	t.Setenv("LOG_FORMAT", "json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncWriter
	errb.w, out.w = &bytes.Buffer{}, &bytes.Buffer{}
	code := make(chan int, 1)
	go func() { code <- Main(ctx, []string{"run"}, strings.NewReader(""), &out, &errb) }()

	var addr string
	for deadline := time.Now().Add(20 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, line := range strings.Split(errb.String(), "\n") {
			var l struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "metrics listening" {
				addr = l.Addr
			}
		}
	}
	if addr == "" {
		t.Fatalf("no metrics address logged; stderr:\n%s", errb.String())
	}
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	if got := get("/healthz"); got != "ok\n" {
		t.Errorf("/healthz = %q", got)
	}
	m := get("/metrics")
	for _, want := range []string{"avnbot_questions_total{kind=\"answered\"} 0", "avnbot_http_rejected_total", "go_goroutines", "process_"} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	cancel()
	if c := exitCode(t, code, 20*time.Second); c != 0 {
		t.Errorf("exit %d; stderr:\n%s", c, errb.String())
	}
}
