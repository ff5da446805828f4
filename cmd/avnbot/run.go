package main

import (
	"context"
	"errors"
	"io"
)

// runDiscord connects to Discord.
func runDiscord(ctx context.Context, cfg config, args []string, stderr io.Writer) error {
	if cfg.Discord.Token == "" {
		return errors.New("DISCORD_TOKEN is not set; put the bot token in .env (see README)")
	}
	return errors.New("connecting to Discord is not built yet (issue 3)")
}
