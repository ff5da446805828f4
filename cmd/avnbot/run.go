package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/avnbot/avnbot/bot/discord"
	"github.com/avnbot/avnbot/metrics"
)

// httpShutdownWait bounds how long the HTTP endpoint waits for requests in
// flight when the process stops.
const httpShutdownWait = 10 * time.Second

// runDiscord connects to Discord: the gateway (slash commands, mentions and
// DMs), and the HTTP interactions endpoint when HTTP_ADDR is set. It runs
// until ctx is cancelled (SIGINT, SIGTERM) and then lets replies in flight
// finish.
func runDiscord(ctx context.Context, cfg config, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("knowledge", cfg.KnowledgeDir, "knowledge directory (default: the embedded knowledge)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: run takes no arguments, got %q", errUsage, fs.Args())
	}
	d := cfg.Discord
	if err := d.check(); err != nil {
		return err
	}
	log := cfg.loggerTo(stderr)
	st, err := cfg.Store.open(ctx, log) // admin.go; no DATABASE_URL: in memory
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	defer st.Close()
	go st.RunSweeper(ctx, time.Hour)
	// Metrics are on with METRICS_ADDR; m, obs and instrument stay nil
	// otherwise. m's methods do nothing on nil, so knowledge reloads can
	// report through m.ObserveReload either way.
	var m *metrics.Metrics
	var obs discord.Observer
	var instrument func(http.RoundTripper) http.RoundTripper
	if cfg.MetricsAddr != "" {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		m = metrics.New(reg)
		obs, instrument = m, m.Transport
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("METRICS_ADDR=%q: %w", cfg.MetricsAddr, err)
		}
		go serveOps(ctx, log, mln, metrics.Handler(reg))
	}
	a, stopLive, err := startLive(ctx, *dir, log, m) // reload.go: edits and SIGHUP reload the knowledge
	if err != nil {
		return err
	}
	defer a.Close()
	defer stopLive()
	var alerts *discord.Alerts
	if d.ModAlertChannel != "" {
		if alerts, err = discord.NewAlerts(d.Token, d.APIBase, d.ModAlertChannel, d.ModAlertRole, log); err != nil {
			return fmt.Errorf("MOD_ALERT_CHANNEL_ID: %w", err)
		}
		defer alerts.Wait() // alerts in flight finish before the process ends
	}
	h := discord.NewHandler(a, discord.Config{
		AskPrivate:       d.AskPrivate,
		Cooldown:         d.Cooldown,
		Burst:            d.CooldownBurst,
		LogQuestions:     cfg.LogQuestions,
		Store:            st,
		RecordUnanswered: cfg.Store.RecordUnanswered,
		ModRoleID:        d.ModRoleID,
		Reloader:         reloader(a), // admin_reload.go: /faq-admin reload
		Metrics:          obs,
		Alerts:           alerts,
	}, log)

	var gw *discord.Bot
	if d.Gateway {
		gw = discord.NewBot(h, discord.GatewayConfig{
			Token: d.Token, AppID: d.AppID, GuildID: d.GuildID, APIBase: d.APIBase,
			ShardID: d.ShardID, ShardCount: d.ShardCount, AskPrivate: d.AskPrivate,
			Metrics: obs, Instrument: instrument,
		}, log)
	}
	var endpoint http.Handler
	var ln net.Listener
	if d.HTTPAddr != "" {
		key, err := discord.ParsePublicKey(d.PublicKey)
		if err != nil {
			return fmt.Errorf("DISCORD_PUBLIC_KEY: %w", err)
		}
		e := discord.NewEndpoint(h, key, log)
		// Answers that miss the deadline are edited in through Discord's
		// REST API, which DISCORD_API_BASE redirects as for the gateway.
		if e.Client, err = discord.RESTClient(d.APIBase, instrument); err != nil {
			return err
		}
		e.Metrics = obs
		endpoint = e
		if ln, err = net.Listen("tcp", d.HTTPAddr); err != nil {
			return fmt.Errorf("HTTP_ADDR=%q: %w", d.HTTPAddr, err)
		}
	}
	routeDiscordgoLogs(log)
	return serve(ctx, log, gw, endpoint, ln)
}

// serveOps serves /metrics and /healthz for operators on ln until ctx is
// done, whether or not the interactions endpoint is on.
func serveOps(ctx context.Context, log *slog.Logger, ln net.Listener, metricsHandler http.Handler) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricsHandler)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), httpShutdownWait)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	log.LogAttrs(ctx, slog.LevelInfo, "metrics listening", slog.String("addr", ln.Addr().String()))
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.LogAttrs(ctx, slog.LevelError, "metrics server stopped", slog.String("err", err.Error()))
	}
}

var discordgoLogs sync.Once

// routeDiscordgoLogs sends discordgo's own logs (errors only: the bot sets
// each session's LogLevel to LogError, which keeps the IDENTIFY payload and
// its token out of them) to log instead of the standard logger.
func routeDiscordgoLogs(log *slog.Logger) {
	discordgoLogs.Do(func() {
		discordgo.Logger = func(level, _ int, format string, a ...any) {
			log.LogAttrs(context.Background(), slog.LevelWarn, "discordgo", slog.Int("level", level), slog.String("detail", fmt.Sprintf(format, a...)))
		}
	})
}

// check says what is missing before anything connects.
func (d discordConfig) check() error {
	switch {
	case !d.Gateway && d.HTTPAddr == "":
		return errors.New("DISCORD_GATEWAY=false needs HTTP_ADDR: with neither, nothing would reach the bot")
	case d.Gateway && d.Token == "":
		return errors.New("DISCORD_TOKEN is not set; put the bot token in .env (see README)")
	case d.Gateway && d.AppID == "":
		return errors.New("DISCORD_APP_ID is not set: copy the Application ID from the developer portal's General Information page into .env; the slash commands are registered to it")
	case d.ModAlertChannel != "" && d.Token == "":
		return errors.New("MOD_ALERT_CHANNEL_ID needs DISCORD_TOKEN: alerts are posted with the bot token (set it on HTTP-only replicas too, or unset MOD_ALERT_CHANNEL_ID)")
	case d.HTTPAddr != "" && d.PublicKey == "":
		return fmt.Errorf("HTTP_ADDR=%q needs DISCORD_PUBLIC_KEY: copy the Public Key from the developer portal's General Information page into .env, or unset HTTP_ADDR", d.HTTPAddr)
	}
	return nil
}

// serve runs the gateway bot (when gw is set) and the HTTP endpoint on ln
// (when set) until ctx is cancelled or one of them fails; then it stops
// both, letting replies in flight finish.
func serve(ctx context.Context, log *slog.Logger, gw *discord.Bot, endpoint http.Handler, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	running := 0
	if gw != nil {
		running++
		go func() {
			err := gw.Run(ctx)
			if err != nil {
				err = fmt.Errorf("discord gateway: %w", err)
			}
			errc <- err
		}()
	}
	if ln != nil {
		running++
		mux := http.NewServeMux()
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
		mux.Handle("/", endpoint) // Discord posts to the URL set in the portal, e.g. /interactions
		srv := &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      10 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			<-ctx.Done()
			sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), httpShutdownWait)
			defer scancel()
			srv.Shutdown(sctx)
			// Answers of deferred responses still being sent finish too.
			if w, ok := endpoint.(interface{ Wait(context.Context) error }); ok {
				if err := w.Wait(sctx); err != nil {
					log.LogAttrs(sctx, slog.LevelWarn, "shutdown: gave up waiting for deferred answers")
				}
			}
		}()
		go func() {
			log.LogAttrs(ctx, slog.LevelInfo, "interactions endpoint listening", slog.String("addr", ln.Addr().String()))
			err := srv.Serve(ln)
			if errors.Is(err, http.ErrServerClosed) {
				err = nil
				<-stopped
			} else if err != nil {
				err = fmt.Errorf("interactions endpoint: %w", err)
			}
			errc <- err
		}()
	}
	var first error
	for range running {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel() // one part failed: stop the other
		} else if ctx.Err() == nil {
			cancel() // one part stopped: nothing should run half
		}
	}
	if first == nil {
		log.LogAttrs(context.Background(), slog.LevelInfo, "stopped")
	}
	return first
}
