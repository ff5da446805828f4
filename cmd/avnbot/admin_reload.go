package main

import (
	"context"
	"fmt"
	"time"

	"github.com/avnbot/avnbot/bot/discord"
	"github.com/avnbot/avnbot/bot/live"
)

// reloader serves /faq-admin reload from the live assistant: the same
// reload as a saved edit or SIGHUP, reported to the moderator who asked.
func reloader(a *live.Assistant) discord.Reloader {
	return discord.ReloadFunc(func(ctx context.Context) discord.ReloadResult {
		return reloadResult(a.Reload(ctx))
	})
}

// reloadResult is a live reload's report as /faq-admin shows it.
func reloadResult(r live.Report) discord.ReloadResult {
	res := discord.ReloadResult{Unchanged: r.Unchanged, Added: r.Added, Removed: r.Removed, Edited: r.Edited, Err: r.Err}
	for _, p := range r.Problems {
		res.Problems = append(res.Problems, p.String())
	}
	switch {
	case r.OK() && !r.Unchanged:
		res.Summary = fmt.Sprintf("serving %s (was %s); took %s", r.Version, r.Previous, r.Took.Round(time.Millisecond))
	default:
		res.Summary = "serving " + r.Version
	}
	return res
}
