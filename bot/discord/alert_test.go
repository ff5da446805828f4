package discord

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/avnbot/avnbot/bot/discord/discordtest"
)

const (
	modChannel = "1400000000000000077"
	modRole    = "1600000000000000005"
	patientID  = "1500000000000000001"
	crisisText = "I want to end my life, nobody would miss me"
)

// wireAlert is an alert as posted.
type wireAlert struct {
	Content         string `json:"content"`
	AllowedMentions struct {
		Parse []string `json:"parse"`
		Roles []string `json:"roles"`
		Users []string `json:"users"`
	} `json:"allowed_mentions"`
	Embeds []json.RawMessage `json:"embeds"`
}

func (h *harness) alert(t *testing.T) wireAlert {
	t.Helper()
	req := h.wait(t, "POST", "/channels/"+modChannel+"/messages")
	// Discord's description and the house rules, except that an alert may
	// mention the moderators' role (checked below).
	problems, err := discordtest.Check(req)
	if err != nil && !errors.Is(err, discordtest.ErrNoSpec) {
		t.Errorf("validate alert: %v", err)
	}
	for _, p := range problems {
		if !strings.HasPrefix(p, "allowed_mentions allows pings (parse [], users [], roles [\""+modRole+"\"], replied_user false)") {
			t.Errorf("alert: %s", p)
		}
	}
	if got := req.Header.Get("Authorization"); got != "Bot test-token" {
		t.Errorf("alert Authorization = %q, want the bot token", got)
	}
	var a wireAlert
	if err := req.JSON(&a); err != nil {
		t.Fatalf("alert body: %v\n%s", err, req.Body)
	}
	if a.AllowedMentions.Parse == nil || len(a.AllowedMentions.Parse) != 0 || len(a.AllowedMentions.Users) != 0 {
		t.Errorf("alert allowed_mentions = %+v, want parse [] and no users", a.AllowedMentions)
	}
	if len(a.AllowedMentions.Roles) != 1 || a.AllowedMentions.Roles[0] != modRole || !strings.HasPrefix(a.Content, "<@&"+modRole+">") {
		t.Errorf("alert mentions %+v, content %q: want the moderator role only", a.AllowedMentions, a.Content)
	}
	return a
}

// TestE2EAlerts: a red flag raised in a server posts an alert to the
// moderators' channel with the category and a jump link, never the text;
// a private /ask stays private; a DM raises none.
func TestE2EAlerts(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(s *setup) { s.alertChannel, s.alertRole = modChannel, modRole })
	h.ready(t)

	// A mention in a channel.
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention", "how long does a focused shockwave session take?", crisisText))
	h.wait(t, "POST", "/channels/1400000000000000001/messages")
	a := h.alert(t)
	link := "https://discord.com/channels/" + testGuild + "/1400000000000000001/1700000000000000001"
	if !strings.Contains(a.Content, link) || !strings.Contains(a.Content, "suicide") {
		t.Errorf("alert %q: want the category and the jump link %s", a.Content, link)
	}
	if strings.Contains(a.Content, "end my life") || strings.Contains(a.Content, "miss me") {
		t.Errorf("alert holds the message text: %q", a.Content)
	}
	h.traced(t)

	// A private /ask: the reply stays ephemeral; the alert links the channel.
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild", "How long does a focused shockwave session take?", "my calf is swollen, red and hot since the hike"))
	_, resp := h.callback(t)
	if resp.Data == nil || resp.Data.Flags&64 == 0 || !strings.Contains(resp.Data.Content, "emergency") {
		t.Errorf("private /ask: reply %+v, want the urgent guidance, ephemeral", resp.Data)
	}
	a = h.alert(t)
	channel := "https://discord.com/channels/" + testGuild + "/1400000000000000001"
	if !strings.Contains(a.Content, channel+" ") || !strings.Contains(a.Content, "private /ask") || strings.Contains(a.Content, "hike") {
		t.Errorf("slash alert %q: want the channel link, the note that it was a private /ask, and no text", a.Content)
	}
	h.traced(t)

	// A DM: no alert.
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention",
		`"guild_id": "1300000000000000001",`, ``, `"channel_id": "1400000000000000001"`, `"channel_id": "1400000000000000009"`,
		`<@`+discordtest.BotUserID+`> how long does a focused shockwave session take?`, crisisText))
	h.wait(t, "POST", "/channels/1400000000000000009/messages")
	h.traced(t)
	h.cfgAlertsWait()
	var alerts int
	for _, r := range h.srv.Requests() {
		if r.Method == "POST" && r.Path == "/api/v9/channels/"+modChannel+"/messages" {
			alerts++
		}
	}
	if alerts != 2 {
		t.Errorf("%d alerts, want 2 (the mention and the /ask; none for the DM)", alerts)
	}
}

// cfgAlertsWait waits for the alerts the handler raised.
func (h *harness) cfgAlertsWait() { h.bot.h.cfg.Alerts.Wait() }

// TestE2ECrisisLogsPrivate runs a crisis message through the bot with logs at
// the default level: no line holds the text, and no line names a red flag
// (or its category) next to the user id.
func TestE2ECrisisLogsPrivate(t *testing.T) {
	t.Parallel()
	h := startBot(t, func(s *setup) { s.infoLogs, s.alertChannel, s.alertRole = true, modChannel, modRole })
	h.ready(t)
	h.dispatch(t, "MESSAGE_CREATE", gwPayload(t, "message_mention", "how long does a focused shockwave session take?", crisisText))
	h.wait(t, "POST", "/channels/1400000000000000001/messages")
	h.traced(t)
	h.dispatch(t, "INTERACTION_CREATE", gwPayload(t, "ask_guild", "How long does a focused shockwave session take?", crisisText))
	h.callback(t)
	h.traced(t)
	h.cfgAlertsWait()
	kb, err := sharedAssistant(t).Ask(crisisText)
	if err != nil {
		t.Fatal(err)
	}
	category := kb.Category
	if category == "" {
		t.Fatal("the crisis message raised no red flag")
	}
	logs := h.logs.String()
	if !strings.Contains(logs, "msg=answered") || !strings.Contains(logs, patientID) {
		t.Fatalf("the test needs the info logs of the answers, with the user id:\n%s", logs)
	}
	flagged := regexp.MustCompile(`(?i)urgent|crisis|red.?flag|suicid|self-harm|category`)
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "end my life") || strings.Contains(line, "miss me") {
			t.Errorf("log holds the message text: %s", line)
		}
		if strings.Contains(line, patientID) && (strings.Contains(line, category) || flagged.MatchString(line)) {
			t.Errorf("log ties a red flag to the user id: %s", line)
		}
	}
}

func TestAlertMessage(t *testing.T) {
	m := alertMessage(alert{category: "heavy bleeding", guild: "1", channel: "2", message: "3"}, "")
	if m.Content != "**Red flag: heavy bleeding**\nA member may need help: https://discord.com/channels/1/2/3" {
		t.Errorf("content = %q", m.Content)
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 || len(m.AllowedMentions.Roles) != 0 {
		t.Errorf("allowed mentions = %+v, want none", m.AllowedMentions)
	}
	m = alertMessage(alert{category: "@everyone", guild: "1", channel: "2", user: "9"}, "5")
	if !strings.HasPrefix(m.Content, "<@&5> ") || strings.Contains(m.Content, "@everyone") || !strings.Contains(m.Content, "https://discord.com/channels/1/2 ") {
		t.Errorf("content = %q", m.Content)
	}
	if len(m.AllowedMentions.Roles) != 1 || m.AllowedMentions.Roles[0] != "5" {
		t.Errorf("allowed mentions = %+v, want role 5 only", m.AllowedMentions)
	}
	// No alert without a server, and none with no Alerts configured.
	var none *Alerts
	none.raise(context.Background(), alert{guild: "1"})
	none.Wait()
	a, err := NewAlerts("t", "", "2", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	a.raise(context.Background(), alert{category: "x", channel: "2"}) // a DM: no guild
	done := make(chan struct{})
	go func() { a.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("an alert for a DM was started")
	}
	if _, err := NewAlerts("", "", "2", "", nil); err == nil {
		t.Error("NewAlerts without a token: no error")
	}
}
