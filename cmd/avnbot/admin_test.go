package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
	"github.com/avnbot/avnbot/store"
)

func TestAdminConfig(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c, err := loadConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.Store != (storeConfig{RetentionDays: 30}) || c.Discord.ModRoleID != "" {
		t.Errorf("defaults: %+v, role %q", c.Store, c.Discord.ModRoleID)
	}
	c, err = loadConfig(env("DATABASE_URL", "sqlite:x.db", "RECORD_UNANSWERED", "true", "RETENTION_DAYS", "7", "VOTE_SECRET", "s", "MOD_ROLE_ID", "1800000000000000001"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (storeConfig{URL: "sqlite:x.db", RecordUnanswered: true, RetentionDays: 7, VoteSecret: "s"}); c.Store != want || c.Discord.ModRoleID != "1800000000000000001" {
		t.Errorf("got %+v, role %q", c.Store, c.Discord.ModRoleID)
	}
	for _, bad := range [][]string{{"RETENTION_DAYS", "0"}, {"RETENTION_DAYS", "a month"}, {"RECORD_UNANSWERED", "yes please"}, {"MOD_ROLE_ID", "@mods"}} {
		if _, err := loadConfig(env(bad...)); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%s=%q: err = %v, want one naming it", bad[0], bad[1], err)
		}
	}
}

// TestAdminCLI: `avnbot unanswered` and `avnbot stats` read what was
// recorded in the database DATABASE_URL names.
func TestAdminCLI(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	if code, _, errs := run(t, "", "stats"); code != 1 || !strings.Contains(errs, "DATABASE_URL is not set") {
		t.Errorf("stats without a database: exit %d, %q", code, errs)
	}
	url := "sqlite:" + filepath.Join(t.TempDir(), "avnbot.db")
	ctx := context.Background()
	st, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range []string{"Is shockwave covered by my insurance??", "is shockwave covered by insurance", "does it work for knees, call 0161 496 0000"} {
		st.RecordQuestion(ctx, store.Event{Guild: "g1", Kind: store.NoMatch, Latency: time.Duration(i+1) * time.Millisecond})
		st.RecordUnanswered(ctx, store.Question{Guild: "g1", Kind: store.NoMatch, Text: q})
	}
	st.RecordQuestion(ctx, store.Event{Guild: "g2", Kind: store.Answered, EntryID: "pain", Latency: 9 * time.Millisecond})
	st.Vote(ctx, store.Vote{Guild: "g2", Entry: "pain", Answer: "a", Voter: "u", Up: true})
	st.Close()
	t.Setenv("DATABASE_URL", url)

	code, out, errs := run(t, "", "unanswered", "--days", "3")
	if code != 0 {
		t.Fatalf("unanswered: exit %d: %s", code, errs)
	}
	for _, want := range []string{"last 3 days", "ASKED", "is shockwave covered by insurance", "[phone]"} {
		if !strings.Contains(out, want) {
			t.Errorf("unanswered lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "0161") {
		t.Errorf("a phone number came out:\n%s", out)
	}
	code, out, errs = run(t, "", "stats")
	if code != 0 {
		t.Fatalf("stats: exit %d: %s", code, errs)
	}
	for _, want := range []string{"Last 7 days, every server", "questions    4", "answered     1 (25%)", "abstained    3 (75%): no match 3, off topic 0", "p50 2ms, p99 9ms", "pain   1   0"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ = run(t, "", "stats", "--guild", "g2", "--days", "1"); code != 0 || !strings.Contains(out, "questions    1") {
		t.Errorf("stats --guild g2: exit %d\n%s", code, out)
	}
	if code, _, errs = run(t, "", "stats", "--days", "0"); code != 2 || !strings.Contains(errs, "--days") {
		t.Errorf("--days 0: exit %d, %q", code, errs)
	}
}

// TestRunRecords: `avnbot run` with DATABASE_URL records what it answers
// and `avnbot stats` reads it back; questions and votes keep no user id.
func TestRunRecords(t *testing.T) {
	srv := discordtest.New(t)
	url := "sqlite:" + filepath.Join(t.TempDir(), "avnbot.db")
	for k, v := range map[string]string{
		"DISCORD_TOKEN": "test-token", "DISCORD_APP_ID": discordtest.ApplicationID, "DISCORD_GUILD_ID": "1300000000000000001",
		"DISCORD_API_BASE": srv.URL(), "HTTP_ADDR": "", "DATABASE_URL": url, "RECORD_UNANSWERED": "true",
	} {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncWriter
	errb.w, out.w = &bytes.Buffer{}, &bytes.Buffer{}
	code := make(chan int, 1)
	go func() { code <- Main(ctx, []string{"run"}, strings.NewReader(""), &out, &errb) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	if err := srv.WaitReady(wctx); err != nil {
		t.Fatalf("WaitReady: %v; stderr:\n%s", err, errb.String())
	}
	raw, err := os.ReadFile("../../bot/discord/testdata/ask_guild.json")
	if err != nil {
		t.Fatal(err)
	}
	ask := strings.NewReplacer("INTERACTION_TOKEN", "tok", `"application_id": "1000000000000000001"`, `"application_id": "`+discordtest.ApplicationID+`"`).Replace(string(raw))
	for _, q := range []string{"How long does a focused shockwave session take?", "does medicare pay for it"} {
		if err := srv.Dispatch("INTERACTION_CREATE", json.RawMessage(strings.Replace(ask, "How long does a focused shockwave session take?", q, 1))); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.WaitRequest(wctx, "POST", "/interactions/{id}/{token}/callback"); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if c := exitCode(t, code, 20*time.Second); c != 0 {
		t.Fatalf("exit %d; stderr:\n%s", c, errb.String())
	}
	c, stats, errs := run(t, "", "stats")
	if c != 0 || !strings.Contains(stats, "questions    2") || !strings.Contains(stats, "answered     1") {
		t.Errorf("stats: exit %d %s\n%s", c, errs, stats)
	}
	c, unanswered, _ := run(t, "", "unanswered")
	if c != 0 || !strings.Contains(unanswered, "does medicare pay for it") {
		t.Errorf("unanswered: exit %d\n%s", c, unanswered)
	}
	db, err := os.ReadFile(strings.TrimPrefix(url, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(db, []byte("1500000000000000001")) {
		t.Errorf("the database holds the asker's user id")
	}
}

// TestAskOpensNoDatabase: `avnbot ask` answers even when DATABASE_URL names
// a database that cannot be opened: it never opens one.
func TestAskOpensNoDatabase(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "no-such-dir", "avnbot.db"))
	if code, out, errs := run(t, "", "ask", "how long does a session take"); code != 0 || out == "" {
		t.Errorf("ask: exit %d, %q", code, errs)
	}
	if code, _, errs := run(t, "", "stats"); code != 1 || !strings.Contains(errs, "DATABASE_URL") {
		t.Errorf("stats on an unopenable database: exit %d, %q", code, errs)
	}
}
