package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/avnbot/avnbot/bot/discord"
	"github.com/avnbot/avnbot/bot/discord/discordtest"
)

func TestRunDiscordConfigErrors(t *testing.T) {
	t.Parallel()
	base := discordConfig{Token: "t", AppID: "1", Gateway: true}
	for _, tc := range []struct {
		name string
		edit func(*discordConfig)
		want string
	}{
		{"no token", func(d *discordConfig) { d.Token = "" }, "DISCORD_TOKEN is not set"},
		{"no app id", func(d *discordConfig) { d.AppID = "" }, "DISCORD_APP_ID is not set"},
		{"http without key", func(d *discordConfig) { d.HTTPAddr = "127.0.0.1:0" }, "needs DISCORD_PUBLIC_KEY"},
		{"bad key", func(d *discordConfig) { d.HTTPAddr = "127.0.0.1:0"; d.PublicKey = "abcd" }, "DISCORD_PUBLIC_KEY: public key: 2 bytes"},
		{"nothing to run", func(d *discordConfig) { d.Gateway = false }, "DISCORD_GATEWAY=false needs HTTP_ADDR"},
		{"http only needs no token", func(d *discordConfig) {
			d.Gateway, d.Token, d.AppID, d.HTTPAddr, d.PublicKey = false, "", "", "256.0.0.1:1", strings.Repeat("ab", 32)
		}, "HTTP_ADDR=\"256.0.0.1:1\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := base
			tc.edit(&d)
			var errb bytes.Buffer
			err := runDiscord(context.Background(), config{Discord: d}, nil, &errb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("runDiscord = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestServe runs the gateway bot and the HTTP endpoint together against a
// fake Discord, then stops them by cancelling the context.
func TestServe(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	a, err := newAssistant("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	logs := &syncWriter{w: &bytes.Buffer{}}
	log := config{}.loggerTo(logs)
	h := discord.NewHandler(a, discord.Config{AskPrivate: true}, log)
	gw := discord.NewBot(h, discord.GatewayConfig{Token: "test-token", AppID: discordtest.ApplicationID, APIBase: srv.URL()}, log)
	pub, priv, _ := ed25519.GenerateKey(nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, log, gw, discord.NewEndpoint(h, pub, log), ln) }()

	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	if err := srv.WaitReady(wctx); err != nil {
		t.Fatal(err)
	}
	// Gateway: /about is answered through the callback.
	err = srv.Dispatch("INTERACTION_CREATE", map[string]any{
		"id": "1100000000000000006", "application_id": discordtest.ApplicationID, "type": 2, "token": "tok", "version": 1,
		"channel_id": "1", "user": map[string]any{"id": "2", "username": "u"},
		"data": map[string]any{"id": "3", "name": "about", "type": 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := srv.WaitRequest(wctx, "POST", "/interactions/{id}/{token}/callback")
	if err != nil {
		t.Fatal(err)
	}
	discordtest.Validate(t, req)

	// HTTP: a signed PING gets a PONG, and /healthz answers.
	url := "http://" + ln.Addr().String()
	body := []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	hr, _ := http.NewRequest("POST", url+"/interactions", bytes.NewReader(body))
	hr.Header.Set("X-Signature-Timestamp", ts)
	hr.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	pong, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(pong)) != `{"type":1}` {
		t.Errorf("PING = %d %s", resp.StatusCode, pong)
	}
	resp, err = http.Get(url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("/healthz = %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("serve = %v, want nil after cancel", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Errorf("endpoint still serving after stop")
	}
	if strings.Contains(logs.String(), "test-token") {
		t.Errorf("token logged")
	}
}

// TestServeFatal: a fatal close code stops the HTTP endpoint too, and the
// error says what to fix.
func TestServeFatal(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	srv.RejectIdentify(4004, "Authentication failed.")
	a, err := newAssistant("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h := discord.NewHandler(a, discord.Config{}, nil)
	gw := discord.NewBot(h, discord.GatewayConfig{Token: "t", AppID: discordtest.ApplicationID, APIBase: srv.URL()}, nil)
	pub, _, _ := ed25519.GenerateKey(nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- serve(context.Background(), config{}.loggerTo(io.Discard), gw, discord.NewEndpoint(h, pub, nil), ln)
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "4004") || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
			t.Errorf("serve = %v, want the 4004 error naming DISCORD_TOKEN", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on 4004")
	}
}

// TestMainRun: `avnbot run` with the environment of .env.example pointed
// at a fake Discord connects, and stops cleanly when the context ends.
func TestMainRun(t *testing.T) {
	srv := discordtest.New(t)
	t.Setenv("DISCORD_TOKEN", "test-token")
	t.Setenv("DISCORD_APP_ID", discordtest.ApplicationID)
	t.Setenv("DISCORD_GUILD_ID", "1300000000000000001")
	t.Setenv("DISCORD_API_BASE", srv.URL())
	t.Setenv("HTTP_ADDR", "")
	t.Setenv("LOG_FORMAT", "json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncWriter
	errb.w, out.w = &bytes.Buffer{}, &bytes.Buffer{}
	code := make(chan int, 1)
	go func() { code <- Main(ctx, nil, strings.NewReader(""), &out, &errb) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	if err := srv.WaitReady(wctx); err != nil {
		t.Fatalf("WaitReady: %v; stderr:\n%s", err, errb.String())
	}
	if _, err := srv.WaitRequest(wctx, "PUT", "/applications/{app}/guilds/{guild}/commands"); err != nil {
		t.Fatal(err)
	}
	cancel()
	if c := exitCode(t, code, 20*time.Second); c != 0 {
		t.Errorf("exit %d; stderr:\n%s", c, errb.String())
	}
	if s := errb.String(); !strings.Contains(s, `"msg":"discord ready"`) || strings.Contains(s, "test-token") {
		t.Errorf("stderr:\n%s", s)
	}
}

// syncWriter is a buffer safe for the goroutines that log.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

// TestEnvDocumented: every variable the configuration reads is explained in
// .env.example and listed in the README.
func TestEnvDocumented(t *testing.T) {
	t.Parallel()
	var names []string
	loadConfig(func(name string) string { names = append(names, name); return "" })
	example, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if !strings.Contains(string(example), "\n"+n+"=") {
			t.Errorf(".env.example lacks %s=", n)
		}
		if !strings.Contains(string(readme), "`"+n+"`") {
			t.Errorf("README lacks `%s`", n)
		}
	}
}

// exitCode waits for Main, run in a goroutine, to send its exit code, and
// fails the test when it has not returned within d.
func exitCode(t *testing.T, code <-chan int, d time.Duration) int {
	t.Helper()
	select {
	case c := <-code:
		return c
	case <-time.After(d):
		t.Fatal("Main did not return")
		return 0
	}
}
