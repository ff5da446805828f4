package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// alertTimeout bounds one moderator alert, retries included.
const alertTimeout = 20 * time.Second

// Alerts brings in a human: when a message in a server raises a red flag,
// a short alert goes to a private moderators' channel with the category and
// a link to the message (for a slash command, which has no message, a link
// to the channel and a note that it was a private /ask). Never the text of
// the message. Direct messages raise no alert: they are private, and the
// person gets the guidance at once.
type Alerts struct {
	channel string
	role    string // optional: the one role an alert may mention
	rest    *webhookClient
	log     *slog.Logger
	wg      sync.WaitGroup
}

// NewAlerts posts alerts to channel with the bot token, through apiBase when
// set (see GatewayConfig.APIBase). role, when set, is mentioned in each alert
// and is the only mention allowed. A nil logger discards logs.
func NewAlerts(token, apiBase, channel, role string, log *slog.Logger) (*Alerts, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if channel == "" {
		return nil, errors.New("moderator alerts: no channel id")
	}
	if token == "" {
		return nil, errors.New("moderator alerts need the bot token (DISCORD_TOKEN) to post")
	}
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	client := &http.Client{Timeout: 10 * time.Second}
	if apiBase != "" {
		base, err := url.Parse(apiBase)
		if err != nil || base.Scheme == "" || base.Host == "" {
			return nil, fmt.Errorf("DISCORD_API_BASE=%q: use a base URL such as http://127.0.0.1:8080", apiBase)
		}
		client.Transport = rebase{base: base, next: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return &Alerts{channel: channel, role: role, log: log,
		rest: &webhookClient{client: client, agent: "DiscordBot (avnbot, alerts)", log: log, auth: token}}, nil
}

// alert is where a red flag was raised; no text, no words of the person's.
type alert struct {
	category string
	guild    string
	channel  string
	message  string // empty for a slash command
	user     string // for a slash command, which has no message to link
}

// raise posts the alert in the background; Wait waits for it.
func (a *Alerts) raise(ctx context.Context, al alert) {
	if a == nil || al.guild == "" {
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), alertTimeout)
		defer cancel()
		err := a.rest.do(ctx, http.MethodPost, discordgo.EndpointChannelMessages(a.channel), alertMessage(al, a.role))
		if err != nil {
			a.log.LogAttrs(ctx, slog.LevelError, "moderator alert failed", slog.String("err", err.Error()))
			return
		}
		a.log.LogAttrs(ctx, slog.LevelInfo, "moderator alert sent")
	}()
}

// Wait waits for the alerts in flight.
func (a *Alerts) Wait() {
	if a != nil {
		a.wg.Wait()
	}
}

// alertMessage is the alert as posted: the category and a jump link, the
// role mention when set, and no other mention.
func alertMessage(al alert, role string) *discordgo.MessageSend {
	var b strings.Builder
	if role != "" {
		b.WriteString("<@&" + role + "> ")
	}
	b.WriteString("**Red flag: " + sanitize(oneLine(al.category)) + "**\n")
	link := "https://discord.com/channels/" + al.guild + "/" + al.channel
	if al.message != "" {
		b.WriteString("A member may need help: " + link + "/" + al.message)
	} else {
		b.WriteString("In a private /ask in " + link + " (there is no message to link). The member, <@" + al.user +
			">, got the guidance privately; please reach out privately, never in the channel.")
	}
	am := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	if role != "" {
		am.Roles = []string{role}
	}
	return &discordgo.MessageSend{Content: clip(b.String(), MaxContent), AllowedMentions: am}
}
