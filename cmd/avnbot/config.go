package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/joho/godotenv"
)

// config is everything read from the environment. Only this package reads it.
type config struct {
	KnowledgeDir string // replaces the embedded knowledge when set
	LogLevel     slog.Level
	LogJSON      bool
	LogQuestions bool   // log question text at debug level (off: it is health data)
	MetricsAddr  string // serve /metrics and /healthz on this address; empty: off
	NoColor      bool   // NO_COLOR is set: no ANSI styles on a terminal (https://no-color.org)
	Discord      discordConfig
	Store        storeConfig // admin.go: the moderators' record
}

type discordConfig struct {
	Token         string
	Gateway       bool // connect to the gateway; false: HTTP interactions endpoint only
	AppID         string
	PublicKey     string
	GuildID       string
	HTTPAddr      string
	APIBase       string
	ShardID       int
	ShardCount    int
	AskPrivate    bool
	Cooldown      time.Duration
	CooldownBurst int
	// ModAlertChannel, when set, receives an alert (category and link, never
	// the text) for each red flag raised in a server; ModAlertRole is the
	// one role such an alert may mention.
	ModAlertChannel string
	ModAlertRole    string
	ModRoleID       string // /faq-admin also needs this role when set
}

// loadConfig reads .env (when present, never overriding the environment)
// and then the environment through getenv.
func loadConfig(getenv func(string) string) (config, error) {
	if _, err := os.Stat(".env"); err == nil {
		if err := godotenv.Load(".env"); err != nil {
			return config{}, fmt.Errorf("read .env: %w", err)
		}
	}
	c := config{
		KnowledgeDir: getenv("KNOWLEDGE_DIR"),
		LogJSON:      getenv("LOG_FORMAT") == "json",
		MetricsAddr:  getenv("METRICS_ADDR"),
		NoColor:      getenv("NO_COLOR") != "",
		Discord: discordConfig{
			Token:     getenv("DISCORD_TOKEN"),
			AppID:     getenv("DISCORD_APP_ID"),
			PublicKey: getenv("DISCORD_PUBLIC_KEY"),
			GuildID:   getenv("DISCORD_GUILD_ID"),
			HTTPAddr:  getenv("HTTP_ADDR"),
			APIBase:   getenv("DISCORD_API_BASE"),

			ModAlertChannel: getenv("MOD_ALERT_CHANNEL_ID"),
			ModAlertRole:    getenv("MOD_ALERT_ROLE_ID"),
		},
	}
	var errs []error
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL=%q: use debug, info, warn or error", v))
		}
	}
	boolean := func(name string, def bool) bool {
		v := getenv(name)
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: use true or false", name, v))
		}
		return b
	}
	integer := func(name string, def int) int {
		v := getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s=%q: use a whole number", name, v))
		}
		return n
	}
	c.LogQuestions = boolean("LOG_QUESTIONS", false)
	c.Discord.AskPrivate = boolean("ASK_PRIVATE_DEFAULT", true)
	c.Discord.Gateway = boolean("DISCORD_GATEWAY", true)
	c.Discord.ShardID = integer("SHARD_ID", 0)
	c.Discord.ShardCount = integer("SHARD_COUNT", 1)
	c.Discord.CooldownBurst = integer("COOLDOWN_BURST", 3)
	c.Discord.Cooldown = 3 * time.Second
	if v := getenv("COOLDOWN"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("COOLDOWN=%q: use a duration such as 3s", v))
		}
		c.Discord.Cooldown = d
	}
	for name, id := range map[string]string{"MOD_ALERT_CHANNEL_ID": c.Discord.ModAlertChannel, "MOD_ALERT_ROLE_ID": c.Discord.ModAlertRole} {
		if _, err := strconv.ParseUint(id, 10, 64); id != "" && err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: use the id Discord shows with Developer Mode on (Copy Channel ID / Copy Role ID)", name, id))
		}
	}
	if c.Discord.ModAlertRole != "" && c.Discord.ModAlertChannel == "" {
		errs = append(errs, fmt.Errorf("MOD_ALERT_ROLE_ID is set without MOD_ALERT_CHANNEL_ID: set the moderators' channel too, or unset the role"))
	}
	loadAdminConfig(getenv, &c, &errs)
	if c.Discord.ShardCount < 1 || c.Discord.ShardID >= c.Discord.ShardCount {
		errs = append(errs, fmt.Errorf("SHARD_ID=%d, SHARD_COUNT=%d: need 0 <= SHARD_ID < SHARD_COUNT", c.Discord.ShardID, c.Discord.ShardCount))
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %w", joinErrs(errs))
	}
	return c, nil
}

func joinErrs(errs []error) error {
	msg := ""
	for i, e := range errs {
		if i > 0 {
			msg += "; "
		}
		msg += e.Error()
	}
	return fmt.Errorf("%s", msg)
}

// loggerTo builds the process logger, writing to w. Question text is never
// logged at info level; LOG_QUESTIONS only allows it at debug level.
func (c config) loggerTo(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
