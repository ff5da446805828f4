package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/avnbot/avnbot/bot/discord"
	"github.com/avnbot/avnbot/bot/discord/discordtest"
	"github.com/avnbot/avnbot/bot/live"
)

// TestReloader: /faq-admin reload reports a live reload's added entries,
// and every problem of a refused one with its file and line.
func TestReloader(t *testing.T) {
	dir := copyKnowledge(t)
	a, err := live.New(dir, live.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	r := reloader(a)
	ctx := context.Background()
	if res := r.Reload(ctx); !res.Unchanged || res.Err != nil || len(res.Problems) > 0 {
		t.Errorf("nothing changed: %+v", res)
	}
	if err := os.WriteFile(filepath.Join(dir, "faq", "zorblax-protocol.md"), []byte(zorblaxEntry), 0o644); err != nil {
		t.Fatal(err)
	}
	res := r.Reload(ctx)
	if !slices.Equal(res.Added, []string{"zorblax-protocol"}) || res.Err != nil || len(res.Problems) > 0 || !strings.HasPrefix(res.Summary, "serving ") {
		t.Errorf("added: %+v", res)
	}
	bad := strings.Replace(zorblaxEntry, "quote:", "qoute:", 1)
	if err := os.WriteFile(filepath.Join(dir, "faq", "zorblax-protocol.md"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	res = r.Reload(ctx)
	if len(res.Problems) == 0 || !strings.Contains(strings.Join(res.Problems, "\n"), "faq/zorblax-protocol.md:") {
		t.Errorf("refused: %+v", res)
	}
}

// TestRunAdminReload: `avnbot run` on a knowledge directory answers
// /faq-admin reload with every problem of a bad edit, file and line.
func TestRunAdminReload(t *testing.T) {
	srv := discordtest.New(t)
	dir := copyKnowledge(t)
	for k, v := range map[string]string{
		"DISCORD_TOKEN": "test-token", "DISCORD_APP_ID": discordtest.ApplicationID, "DISCORD_GUILD_ID": "1300000000000000001",
		"DISCORD_API_BASE": srv.URL(), "HTTP_ADDR": "", "DATABASE_URL": "", "KNOWLEDGE_DIR": dir,
	} {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncWriter
	errb.w, out.w = &bytes.Buffer{}, &bytes.Buffer{}
	code := make(chan int, 1)
	go func() { code <- Main(ctx, []string{"run"}, strings.NewReader(""), &out, &errb) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer wcancel()
	if err := srv.WaitReady(wctx); err != nil {
		t.Fatalf("WaitReady: %v; stderr:\n%s", err, errb.String())
	}
	bad := strings.Replace(zorblaxEntry, "quote:", "qoute:", 1)
	if err := os.WriteFile(filepath.Join(dir, "faq", "zorblax-protocol.md"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../bot/discord/testdata/admin_stats.json")
	if err != nil {
		t.Fatal(err)
	}
	cmd := strings.NewReplacer("INTERACTION_TOKEN", "tok", `"application_id": "1000000000000000001"`, `"application_id": "`+discordtest.ApplicationID+`"`,
		`{"name": "stats", "type": 1, "options": [{"name": "days", "type": 4, "value": 7}]}`, `{"name": "reload", "type": 1}`).Replace(string(raw))
	if err := srv.Dispatch("INTERACTION_CREATE", json.RawMessage(cmd)); err != nil {
		t.Fatal(err)
	}
	// Answered at once, or deferred and edited in: either way the report.
	var body string
	for body == "" {
		select {
		case <-wctx.Done():
			t.Fatalf("no reload report; stderr:\n%s", errb.String())
		case <-time.After(50 * time.Millisecond):
		}
		for _, r := range srv.Requests() {
			if (strings.HasSuffix(r.Path, "/callback") || strings.HasSuffix(r.Path, "/@original")) && strings.Contains(string(r.Body), "Reload refused") {
				body = string(r.Body)
			}
		}
	}
	if !strings.Contains(body, "faq/zorblax-protocol.md:") {
		t.Errorf("report lacks the file and line:\n%s", body)
	}
	cancel()
	if c := exitCode(t, code, 30*time.Second); c != 0 {
		t.Errorf("exit %d; stderr:\n%s", c, errb.String())
	}
}

// TestAdviceAfterReload: replies made by the handler itself (/about, notes)
// carry the advice of the knowledge being served, not of the one it
// started with.
func TestAdviceAfterReload(t *testing.T) {
	dir := copyKnowledge(t)
	a, err := live.New(dir, live.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	h := discord.NewHandler(a, discord.Config{}, nil)
	raw, err := os.ReadFile("../../bot/discord/testdata/about_command.json")
	if err != nil {
		t.Fatal(err)
	}
	about := func() string {
		var i discordgo.Interaction
		if err := json.Unmarshal(raw, &i); err != nil {
			t.Fatal(err)
		}
		r := h.Interaction(context.Background(), &i)
		out, _ := json.Marshal(r.Data)
		return string(out)
	}
	const fresh = "Please see a doctor who knows your hip before any treatment."
	if strings.Contains(about(), fresh) {
		t.Fatal("the new advice is there before the edit")
	}
	path := filepath.Join(dir, "safety.yaml")
	safety, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(safety), "  This is general information from the material, not a diagnosis or advice for\n  your own situation. Please seek a medical assessment from a qualified\n  healthcare professional before deciding on any treatment.",
		"  This is general information, not a diagnosis. Please seek a medical assessment. "+fresh, 1)
	if edited == string(safety) {
		t.Fatal("safety.yaml's advice is not where the test expects it")
	}
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := a.Reload(context.Background()); !r.OK() {
		t.Fatalf("reload: %v", r)
	}
	if got := about(); !strings.Contains(got, fresh) {
		t.Errorf("/about after the reload: %s\nwant the new advice", got)
	}
}
