package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Intents the bot asks for: servers, their messages and direct messages.
// Not the privileged message-content intent: messages that mention the bot,
// and direct messages, carry their content without it.
const Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages

// Defaults of the gateway bot.
const (
	// DeferAfter is how long an interaction's answer may take before the
	// bot defers (type 5) and edits the answer in later. Discord drops an
	// interaction not answered within 3 s of its creation; the event takes
	// some of that to reach us, and the callback some more to reach Discord.
	DeferAfter = 2 * time.Second
	// ShutdownWait bounds how long Run waits for in-flight replies.
	ShutdownWait = 15 * time.Second
	// replyTimeout bounds one reply, retries on 429 included.
	replyTimeout = 30 * time.Second
)

// GatewayConfig is what the gateway bot needs to connect; cmd/avnbot fills
// it from the environment.
type GatewayConfig struct {
	Token   string // the bot token, with or without the "Bot " prefix
	AppID   string // the application id, for command registration
	GuildID string // register commands in this server only (instant); empty: globally
	// APIBase, when set (e.g. "http://127.0.0.1:8080"), receives every REST
	// call and the gateway lookup instead of https://discord.com, keeping
	// the path (/api/v9/...): a shared rate-limit proxy, or a test fake.
	APIBase    string
	ShardID    int
	ShardCount int // 0 or 1: no sharding
	// AskPrivate is the Handler's default for /ask and /faq; the bot uses
	// it to choose whether a deferred reply is private.
	AskPrivate bool
	// DeferAfter overrides the package default when positive.
	DeferAfter time.Duration
	// Metrics, when set, is told about questions, reconnections, resumes,
	// rate-limit waits and the like.
	Metrics Observer
	// Instrument, when set, wraps the transport of every REST call (e.g.
	// metrics.Transport, to time Discord's round trips).
	Instrument func(http.RoundTripper) http.RoundTripper
}

// FatalCloseError is a gateway close code that retrying cannot fix. Run
// returns it; its message says what to change.
type FatalCloseError struct {
	Code int
	Text string // the reason Discord gave
}

func (e *FatalCloseError) Error() string {
	fix, ok := fatalCodes[e.Code]
	if !ok {
		fix = "see https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes"
	}
	reason := ""
	if e.Text != "" {
		reason = " (" + e.Text + ")"
	}
	return fmt.Sprintf("discord gateway closed with %d%s: %s", e.Code, reason, fix)
}

// fatalCodes are the close codes Discord documents as not to be retried,
// with what to do about each.
var fatalCodes = map[int]string{
	4004: "authentication failed: DISCORD_TOKEN is wrong or was reset; copy the bot token from the developer portal (Bot > Reset Token) into .env",
	4010: "invalid shard: check SHARD_ID and SHARD_COUNT (0 <= SHARD_ID < SHARD_COUNT)",
	4011: "sharding required: the bot is in too many servers for one connection; set SHARD_COUNT and run one process per SHARD_ID (see README)",
	4012: "invalid API version: upgrade discordgo",
	4013: "invalid intents: this is a bug in avnbot's intents; please report it",
	4014: "disallowed intents: the bot asked for a privileged intent not enabled for it; avnbot needs none, so this is a bug, or enable the intent under Bot > Privileged Gateway Intents in the developer portal",
}

// Bot connects a Handler to Discord's gateway: it registers the commands,
// answers interactions within Discord's deadline, replies to mentions and
// direct messages, resumes after dropped connections, and stops on close
// codes that retrying cannot fix.
type Bot struct {
	h   *Handler
	cfg GatewayConfig
	log *slog.Logger

	s     *discordgo.Session
	rest  *webhookClient
	botID atomic.Value // string, from READY

	mu      sync.Mutex
	closing bool
	wg      sync.WaitGroup

	reconnect chan struct{} // a Disconnect event asks for a reconnect
	obs       Observer
	// retryAfter is the first wait before retrying command registration
	// (1 s), doubling up to a minute.
	retryAfter time.Duration
	// watch is how often the watchdog looks at heartbeat ACKs (1 s; <0:
	// never); minBeat is the shortest gap between ACKs it takes for the
	// heartbeat interval (1 s; Discord's is about 41 s). Tests set both.
	watch, minBeat time.Duration
	// conns counts connect calls, for the watchdog to tell a reconnection
	// from a heartbeat interval.
	conns atomic.Int64
	// trace, set by tests before Run, is called when an event is done.
	trace func(event string, replied bool)
}

// NewBot returns a bot answering with h. A nil logger discards logs.
func NewBot(h *Handler, cfg GatewayConfig, log *slog.Logger) *Bot {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.DeferAfter <= 0 {
		cfg.DeferAfter = DeferAfter
	}
	return &Bot{h: h, cfg: cfg, log: log, reconnect: make(chan struct{}, 1), obs: observer(cfg.Metrics),
		retryAfter: time.Second, watch: time.Second, minBeat: time.Second}
}

// Run connects and answers until ctx is cancelled, then stops taking
// events, waits for the replies in flight and disconnects. It returns nil
// after a shutdown, a *FatalCloseError when Discord refuses the connection
// for good, or an error when the commands cannot be registered.
func (b *Bot) Run(ctx context.Context) error {
	if b.cfg.Token == "" {
		return errors.New("discord: no bot token")
	}
	if b.cfg.AppID == "" {
		return errors.New("discord: no application id")
	}
	token := b.cfg.Token
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return fmt.Errorf("discord session: %w", err)
	}
	client, err := RESTClient(b.cfg.APIBase, b.cfg.Instrument)
	if err != nil {
		return err
	}
	s.Client = client
	s.Identify.Intents = Intents
	s.ShardID, s.ShardCount = b.cfg.ShardID, max(b.cfg.ShardCount, 1)
	s.LogLevel = discordgo.LogError
	// discordgo would reconnect forever, fatal close codes included; the
	// loop in Run reconnects instead, and stops on those.
	s.ShouldReconnectOnError = false
	s.StateEnabled = true
	b.s = s
	b.rest = &webhookClient{client: client, agent: s.UserAgent, log: b.log, obs: b.obs}

	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		b.botID.Store(r.User.ID)
		b.log.LogAttrs(ctx, slog.LevelInfo, "discord ready", slog.String("bot", r.User.ID), slog.Int("guilds", len(r.Guilds)), slog.Int("shard", b.cfg.ShardID))
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) {
		b.log.LogAttrs(ctx, slog.LevelInfo, "discord resumed")
		b.obs.Resume()
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.RateLimit) { b.obs.RateLimitWait() })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		select {
		case b.reconnect <- struct{}{}:
		default:
		}
	})
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) {
		b.event(ctx, "interaction", i.Interaction, nil)
	})
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { b.event(ctx, "message", nil, m.Message) })

	// Commands belong to the application, not a shard: shard 0 registers
	// them, so N shards starting together make one call, not N.
	if b.cfg.ShardID == 0 {
		if err := b.register(ctx); err != nil {
			if ctx.Err() != nil {
				return nil // stopped while starting
			}
			return err
		}
	}

	err = b.connect(ctx)
	if err == nil && b.watch > 0 {
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		go b.watchdog(wctx)
	}
	for err == nil {
		select {
		case <-ctx.Done():
		case <-b.reconnect:
			if ctx.Err() == nil {
				b.log.LogAttrs(ctx, slog.LevelWarn, "discord gateway disconnected; reconnecting")
				b.obs.Reconnect()
				err = b.connect(ctx)
				continue
			}
		}
		break
	}
	b.shutdown()
	if err != nil && ctx.Err() != nil && !errors.As(err, new(*FatalCloseError)) {
		return nil // cancelled while connecting
	}
	return err
}

// register overwrites the application commands. While Discord cannot be
// reached (a network error, a 5xx) it retries with backoff, 1 s doubling to
// a minute, until ctx is done; an answer that retrying cannot change (a bad
// token, a wrong application id) ends it with what to fix.
func (b *Bot) register(ctx context.Context) error {
	wait := b.retryAfter
	for {
		cmds, err := b.s.ApplicationCommandBulkOverwrite(b.cfg.AppID, b.cfg.GuildID, Commands(), discordgo.WithContext(ctx))
		if err == nil {
			b.log.LogAttrs(ctx, slog.LevelInfo, "commands registered", slog.Int("count", len(cmds)), slog.String("guild", b.cfg.GuildID))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !unreachable(err) {
			return fmt.Errorf("register commands: %w%s", err, registerHint(err, b.cfg.GuildID))
		}
		b.log.LogAttrs(ctx, slog.LevelWarn, "cannot reach Discord to register the commands; retrying",
			slog.String("err", err.Error()), slog.Duration("in", wait))
		b.obs.StartRetry()
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, time.Minute)
	}
}

// unreachable reports whether err says Discord could not be reached or
// failed on its side (no answer, or a 5xx), which retrying may fix.
func unreachable(err error) bool {
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		return re.Response != nil && re.Response.StatusCode >= 500
	}
	return true
}

// connect opens the gateway, retrying with backoff (1 s doubling to 1 min)
// until it works, ctx is done or Discord closes with a fatal code. discordgo
// resumes when it has a session, else identifies.
func (b *Bot) connect(ctx context.Context) error {
	b.conns.Add(1)
	wait := time.Second
	for {
		err := b.s.Open()
		if err == nil || errors.Is(err, discordgo.ErrWSAlreadyOpen) {
			return nil
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			if _, fatal := fatalCodes[ce.Code]; fatal {
				b.log.LogAttrs(ctx, slog.LevelError, "discord refused the connection", slog.Int("code", ce.Code), slog.String("reason", ce.Text))
				return &FatalCloseError{Code: ce.Code, Text: ce.Text}
			}
		}
		b.log.LogAttrs(ctx, slog.LevelWarn, "discord gateway connect failed; retrying", slog.String("err", err.Error()), slog.Duration("in", wait))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, time.Minute)
	}
}

// shutdown stops taking events, closes the gateway and waits (at most
// ShutdownWait) for the replies in flight.
func (b *Bot) shutdown() {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	b.s.Close()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(ShutdownWait):
		b.log.LogAttrs(context.Background(), slog.LevelWarn, "shutdown: gave up waiting for replies in flight")
	}
	b.log.LogAttrs(context.Background(), slog.LevelInfo, "discord disconnected")
}

// event runs one interaction or message, unless the bot is shutting down.
// Replies outlive ctx (a shutdown lets them finish), bounded by replyTimeout.
func (b *Bot) event(ctx context.Context, kind string, i *discordgo.Interaction, m *discordgo.Message) {
	b.mu.Lock()
	if b.closing {
		b.mu.Unlock()
		return
	}
	b.wg.Add(1)
	b.mu.Unlock()
	defer b.wg.Done()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	defer cancel()
	replied := false
	if i != nil {
		replied = b.interaction(rctx, i)
	} else {
		replied = b.message(rctx, m)
	}
	if b.trace != nil {
		b.trace(kind, replied)
	}
}

// interaction answers i directly when the Handler is done within
// DeferAfter; otherwise it defers (type 5, private when the answer will be)
// and edits the original response when the answer is ready.
func (b *Bot) interaction(ctx context.Context, i *discordgo.Interaction) bool {
	start := time.Now()
	log := b.log.With(slog.String("interaction", i.ID))
	done := make(chan *discordgo.InteractionResponse, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.LogAttrs(ctx, slog.LevelError, "interaction handler panicked", slog.Any("panic", r))
				b.obs.Panic()
				done <- sorry()
			}
		}()
		done <- b.h.Interaction(ctx, i)
	}()

	var resp *discordgo.InteractionResponse
	deferred := false
	timer := time.NewTimer(b.cfg.DeferAfter)
	select {
	case resp = <-done:
		timer.Stop()
	case <-timer.C:
		if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
			resp = <-done // choices cannot be deferred
			break
		}
		flags := discordgo.MessageFlags(0)
		if b.private(i) {
			flags = discordgo.MessageFlagsEphemeral
		}
		ack := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: flags}}
		if err := b.rest.callback(ctx, i, ack); err != nil {
			log.LogAttrs(ctx, slog.LevelError, "defer interaction", slog.String("err", err.Error()))
			return false
		}
		deferred = true
		b.obs.Deferred()
		resp = <-done
		if err := b.rest.followup(ctx, b.appID(i), i.Token, flags, resp.Data); err != nil {
			log.LogAttrs(ctx, slog.LevelError, "edit deferred response", slog.String("err", err.Error()))
			return false
		}
	}
	if !deferred {
		if err := b.rest.callback(ctx, i, resp); err != nil {
			log.LogAttrs(ctx, slog.LevelError, "respond to interaction", slog.String("err", err.Error()),
				slog.Duration("after", time.Since(start)))
			return false
		}
	}
	log.LogAttrs(ctx, slog.LevelDebug, "interaction replied", slog.Int("type", int(i.Type)),
		slog.Bool("deferred", deferred), slog.Duration("took", time.Since(start)))
	return true
}

// sorry is the reply when the Handler fails: one user's odd input must not
// stop the bot for everyone.
func sorry() *discordgo.InteractionResponse {
	return message(&discordgo.InteractionResponseData{
		Content:         "Sorry, something went wrong on my side. Please try again, or try `/faq`.",
		Flags:           discordgo.MessageFlagsEphemeral,
		AllowedMentions: noMentions(),
	})
}

// private predicts whether the Handler's answer to i is ephemeral.
func (b *Bot) private(i *discordgo.Interaction) bool { return ephemeral(i, b.cfg.AskPrivate) }

// ephemeral predicts whether the Handler's answer to i is ephemeral, which a
// deferred response must choose before the answer exists: /ask as asked or
// by default (askPrivate), /faq by default, /about and related-topic buttons
// always, Share never.
func ephemeral(i *discordgo.Interaction, askPrivate bool) bool {
	switch d := i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData:
		switch d.Name {
		case CmdAsk:
			if p, ok := boolOption(d.Options, OptPrivate); ok {
				return p
			}
			return askPrivate
		case CmdFAQ:
			return askPrivate
		}
		return true
	case discordgo.MessageComponentInteractionData:
		return !strings.HasPrefix(d.CustomID, SharePrefix)
	}
	return true
}

func (b *Bot) appID(i *discordgo.Interaction) string {
	if i.AppID != "" {
		return i.AppID
	}
	return b.cfg.AppID
}

// message replies to a mention or a direct message through discordgo,
// whose per-channel rate-limit buckets are worth keeping (see webhookClient).
func (b *Bot) message(ctx context.Context, m *discordgo.Message) bool {
	id, _ := b.botID.Load().(string)
	if id == "" && b.s.State != nil && b.s.State.User != nil {
		id = b.s.State.User.ID
	}
	send := func() (send *discordgo.MessageSend) {
		defer func() {
			if r := recover(); r != nil {
				b.log.LogAttrs(ctx, slog.LevelError, "message handler panicked", slog.String("message", m.ID), slog.Any("panic", r))
				b.obs.Panic()
				send = nil
			}
		}()
		return b.h.Message(ctx, m, id)
	}()
	if send == nil {
		return false
	}
	if _, err := b.s.ChannelMessageSendComplex(m.ChannelID, send, discordgo.WithContext(ctx)); err != nil {
		b.log.LogAttrs(ctx, slog.LevelError, "reply to message", slog.String("message", m.ID), slog.String("err", err.Error()))
		return false
	}
	return true
}

// registerHint says what to fix when command registration fails.
func registerHint(err error, guild string) string {
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response == nil {
		return ""
	}
	switch re.Response.StatusCode {
	case http.StatusUnauthorized:
		return " (DISCORD_TOKEN was rejected: copy the bot token from the developer portal)"
	case http.StatusForbidden:
		if guild != "" {
			return " (the bot is not in DISCORD_GUILD_ID's server with the applications.commands scope: invite it with the link in the README, or unset DISCORD_GUILD_ID)"
		}
		return " (check that DISCORD_APP_ID is this bot's application id)"
	case http.StatusNotFound:
		return " (DISCORD_APP_ID or DISCORD_GUILD_ID does not exist)"
	}
	return ""
}
