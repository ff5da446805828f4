package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/avnbot/avnbot/bot/live"
	"github.com/avnbot/avnbot/metrics"
)

// startLive answers from the knowledge directory dir ("" for the embedded
// knowledge) and keeps it live until ctx is done: with a directory, saved
// edits are reloaded (live.Watch); SIGHUP reloads at once. Reloads and the
// version served go to m (nil: nowhere). stop waits for both to end; the
// caller closes the assistant after it.
func startLive(ctx context.Context, dir string, log *slog.Logger, m *metrics.Metrics) (a *live.Assistant, stop func(), err error) {
	a, err = live.New(dir, live.Options{Log: log, OnReload: func(r live.Report) {
		if !r.Unchanged && !errors.Is(r.Err, live.ErrClosed) && !errors.Is(r.Err, context.Canceled) {
			m.ObserveReload(r.OK(), r.Version) // not the ones shutting down interrupts
		}
	}})
	if err != nil {
		return nil, nil, err
	}
	m.SetKnowledgeVersion(a.Version())
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if dir != "" {
		wg.Go(func() {
			if err := a.Watch(ctx); err != nil {
				log.LogAttrs(ctx, slog.LevelWarn, "not watching the knowledge directory; SIGHUP still reloads it", slog.Any("error", err))
			}
		})
	}
	wg.Go(func() { reloadOnHangup(ctx, a) })
	return a, func() { cancel(); wg.Wait() }, nil
}

// reloadOnHangup reloads a on every SIGHUP until ctx is done. The reload
// logs its report. (With the embedded knowledge nothing changes, but the
// signal no longer stops the process, as it would by default.)
func reloadOnHangup(ctx context.Context, a *live.Assistant) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			a.Reload(ctx)
		}
	}
}
