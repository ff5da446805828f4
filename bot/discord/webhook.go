package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// webhookClient sends interaction responses (the callback, and the edit or
// followup of a deferred one) with one plain HTTP call each.
//
// discordgo's REST methods keep a rate-limit bucket per URL, and every
// interaction has its own token in its URLs, so a session that answers
// through InteractionRespond grows by a bucket per interaction and never
// frees it (upstream #1333; TestDiscordgoBucketPerInteraction measures it).
// These routes need no bucket: a token is used a handful of times, and
// Discord exempts interaction responses from the global rate limit. 429s
// are still honoured, by waiting as Discord says and retrying.
type webhookClient struct {
	client *http.Client // the session's, so DISCORD_API_BASE applies
	agent  string
	log    *slog.Logger
	obs    Observer // counts 429 waits; nil: none
	auth   string   // the Authorization header, for routes that need the bot token
}

// Retry policy for interaction responses.
const (
	maxAttempts  = 4
	maxRetryWait = 10 * time.Second
)

func (c *webhookClient) callback(ctx context.Context, i *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	return c.do(ctx, http.MethodPost, discordgo.EndpointInteractionResponse(i.ID, i.Token), resp)
}

// followup puts the answer of a deferred interaction in place of the
// "thinking…" message. Visibility is fixed when deferring, so when the answer
// wants the other one (a private note after a public defer, e.g. a cooldown
// on Share), it goes in a followup with its own flags and the deferred
// message is deleted.
func (c *webhookClient) followup(ctx context.Context, appID, token string, deferred discordgo.MessageFlags, d *discordgo.InteractionResponseData) error {
	if d == nil {
		d = &discordgo.InteractionResponseData{}
	}
	if d.Embeds == nil {
		d.Embeds = []*discordgo.MessageEmbed{}
	}
	if d.Components == nil {
		d.Components = []discordgo.MessageComponent{}
	}
	original := discordgo.EndpointInteractionResponseActions(appID, token)
	ephemeral := d.Flags&discordgo.MessageFlagsEphemeral != 0
	if ephemeral == (deferred&discordgo.MessageFlagsEphemeral != 0) {
		edit := &discordgo.WebhookEdit{Embeds: &d.Embeds, Components: &d.Components, AllowedMentions: d.AllowedMentions}
		if d.Content != "" {
			edit.Content = &d.Content
		}
		return c.do(ctx, http.MethodPatch, original, edit)
	}
	params := &discordgo.WebhookParams{Content: d.Content, Embeds: d.Embeds, Components: d.Components,
		AllowedMentions: d.AllowedMentions, Flags: d.Flags & discordgo.MessageFlagsEphemeral}
	if err := c.do(ctx, http.MethodPost, discordgo.EndpointFollowupMessage(appID, token), params); err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, original, nil)
}

// do sends one request, retrying after a 429 (as long as Discord asks, at
// most maxRetryWait each time) or a 5xx, up to maxAttempts in all.
func (c *webhookClient) do(ctx context.Context, method, url string, body any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode %s body: %w", method, err)
		}
	}
	route := routeName(method, url)
	for attempt := 1; ; attempt++ {
		wait, err := c.once(ctx, method, url, raw)
		if err == nil {
			return nil
		}
		if wait < 0 || attempt == maxAttempts {
			return fmt.Errorf("%s: %w", route, err)
		}
		if c.obs != nil && errors.Is(err, errRateLimited) {
			c.obs.RateLimitWait()
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "discord asked to retry", slog.String("route", route),
			slog.String("err", err.Error()), slog.Duration("in", wait))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return fmt.Errorf("%s: %w (gave up: %w)", route, err, ctx.Err())
		}
	}
}

// errRateLimited is a 429 from Discord.
var errRateLimited = errors.New("HTTP 429")

// once sends the request. On failure it says how long to wait before a
// retry, or -1 when a retry would not help.
func (c *webhookClient) once(ctx context.Context, method, url string, body []byte) (time.Duration, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return -1, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", c.agent)
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return -1, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode < 300:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return retryAfter(resp.Header, msg), fmt.Errorf("%w: %s", errRateLimited, msg)
	case resp.StatusCode >= 500:
		return time.Second, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return -1, fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
}

// retryAfter reads how long Discord asks to wait: the JSON body's
// retry_after, else X-RateLimit-Reset-After, else Retry-After (seconds).
func retryAfter(h http.Header, body []byte) time.Duration {
	var rl struct {
		RetryAfter float64 `json:"retry_after"`
	}
	secs := -1.0
	if json.Unmarshal(body, &rl) == nil && rl.RetryAfter > 0 {
		secs = rl.RetryAfter
	} else if f, err := strconv.ParseFloat(h.Get("X-RateLimit-Reset-After"), 64); err == nil {
		secs = f
	} else if f, err := strconv.ParseFloat(h.Get("Retry-After"), 64); err == nil {
		secs = f
	}
	if secs < 0 {
		return time.Second
	}
	return min(time.Duration(secs*float64(time.Second)), maxRetryWait)
}

// routeName names a request for logs and errors without its token.
func routeName(method, url string) string {
	if strings.Contains(url, "/channels/") {
		return method + " channel message"
	}
	switch method {
	case http.MethodPost:
		if strings.HasSuffix(url, "/callback") {
			return "interaction callback"
		}
		return "interaction followup"
	case http.MethodPatch:
		return "edit interaction response"
	case http.MethodDelete:
		return "delete interaction response"
	}
	return method + " interaction webhook"
}
