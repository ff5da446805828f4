package discordtest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestRESTDefaults(t *testing.T) {
	t.Parallel()
	srv := New(t, WithValidation())
	dg := srv.Session(t)
	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

	me, err := dg.User("@me")
	if err != nil || me.ID != BotUserID || !me.Bot {
		t.Errorf("User(@me) = %+v, %v; want the bot user", me, err)
	}
	msg, err := dg.ChannelMessageSendComplex("800000000000000001", &discordgo.MessageSend{Content: "hello", AllowedMentions: none})
	if err != nil || msg.ID == "" || msg.ChannelID != "800000000000000001" || msg.Content != "hello" {
		t.Errorf("ChannelMessageSendComplex = %+v, %v; want the message echoed with an id", msg, err)
	}
	cmds := []*discordgo.ApplicationCommand{{Name: "ask", Description: "Ask a question"}}
	for _, guild := range []string{"", "900000000000000001"} {
		got, err := dg.ApplicationCommandBulkOverwrite(ApplicationID, guild, cmds)
		if err != nil || len(got) != 1 || got[0].ID == "" || got[0].Name != "ask" || got[0].GuildID != guild {
			t.Errorf("ApplicationCommandBulkOverwrite(guild %q) = %+v, %v", guild, got, err)
		}
	}
	interaction := &discordgo.Interaction{ID: "400000000000000001", AppID: ApplicationID, Token: "token-1"}
	follow, err := dg.FollowupMessageCreate(interaction, true, &discordgo.WebhookParams{Content: "more", AllowedMentions: none})
	if err != nil || follow.ID == "" || follow.Content != "more" {
		t.Errorf("FollowupMessageCreate = %+v, %v", follow, err)
	}
	content := "edited"
	edited, err := dg.InteractionResponseEdit(interaction, &discordgo.WebhookEdit{Content: &content, AllowedMentions: none})
	if err != nil || edited.Content != "edited" {
		t.Errorf("InteractionResponseEdit = %+v, %v", edited, err)
	}

	_, err = dg.Channel("800000000000000001") // no default answer
	var rerr *discordgo.RESTError
	if !errors.As(err, &rerr) || rerr.Response.StatusCode != http.StatusNotFound || rerr.Message == nil || rerr.Message.Message != "404: Not Found" {
		t.Errorf("Channel() error = %v, want a 404 RESTError with Discord's body", err)
	}

	var got []string
	for _, r := range srv.Requests() {
		got = append(got, r.Method+" "+r.Path)
	}
	want := []string{
		"GET /api/v9/users/@me",
		"POST /api/v9/channels/800000000000000001/messages",
		"PUT /api/v9/applications/" + ApplicationID + "/commands",
		"PUT /api/v9/applications/" + ApplicationID + "/guilds/900000000000000001/commands",
		"POST /api/v9/webhooks/" + ApplicationID + "/token-1",
		"PATCH /api/v9/webhooks/" + ApplicationID + "/token-1/messages/@original",
		"GET /api/v9/channels/800000000000000001",
	}
	if len(got) != len(want) {
		t.Fatalf("requests = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestWaitRequestReturnsEachOnce(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	dg := srv.Session(t)
	for range 2 {
		if _, err := dg.User("@me"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 { // both arrived before the wait
		if _, err := srv.WaitRequest(ctx, "GET", "/users/{id}"); err != nil {
			t.Fatalf("WaitRequest %d: %v", i, err)
		}
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if r, err := srv.WaitRequest(done, "GET", "/users/{id}"); err == nil {
		t.Errorf("third WaitRequest = %s %s, want none left", r.Method, r.Path)
	}

	got := make(chan Request, 1)
	go func() { // waits for one that has not arrived yet
		r, _ := srv.WaitRequest(ctx, "", "/api/v9/channels/{id...}")
		got <- r
	}()
	dg.ChannelMessageSend("800000000000000001", "x")
	if r := receive(t, ctx, got); r.Path != "/api/v9/channels/800000000000000001/messages" {
		t.Errorf("WaitRequest path = %q", r.Path)
	}
}

func TestRateLimitRetried(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	dg := srv.Session(t)
	limits := make(chan *discordgo.RateLimit, 1)
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.RateLimit) { limits <- r })

	const retry = 250 * time.Millisecond
	srv.RateLimitNext("POST", "/interactions/{id}/{token}/callback", retry)
	interaction := &discordgo.Interaction{ID: "400000000000000001", AppID: ApplicationID, Token: "token-1"}
	start := time.Now()
	err := dg.InteractionRespond(interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if err != nil {
		t.Fatalf("InteractionRespond: %v", err)
	}
	if elapsed := time.Since(start); elapsed < retry {
		t.Errorf("retried after %v, want at least retry_after %v", elapsed, retry)
	}
	if got := receive(t, ctx, limits); got.RetryAfter != retry {
		t.Errorf("RateLimit event RetryAfter = %v, want %v", got.RetryAfter, retry)
	}
	for _, want := range []int{http.StatusTooManyRequests, http.StatusNoContent} {
		r, err := srv.WaitRequest(ctx, "POST", "/interactions/{id}/{token}/callback")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != want {
			t.Errorf("callback answered %d, want %d", r.Status, want)
		}
	}
}

func TestTransportRewritesHost(t *testing.T) {
	t.Parallel()
	srv := New(t)
	c := &http.Client{Transport: srv.Transport()}
	resp, err := c.Get(discordgo.EndpointGateway)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", discordgo.EndpointGateway, resp.StatusCode)
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Path != "/api/v9/gateway" {
		t.Errorf("requests = %+v, want GET /api/v9/gateway", reqs)
	}
}
