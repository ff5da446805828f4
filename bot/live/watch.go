package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch reloads the knowledge when its files change, Debounce after the
// last change, until ctx is done. It watches the directory and its
// subdirectories (faq/, sources/), including ones created or replaced while
// it runs, so editors that save by writing a temporary file and renaming it,
// git checkouts and Kubernetes ConfigMap updates are all seen. It returns an
// error only when it cannot start watching. It reloads once when it starts,
// for what changed since New.
func (a *Assistant) Watch(ctx context.Context) error {
	if a.dir == "" {
		return errors.New("live: the embedded knowledge does not change; give a knowledge directory to watch")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", a.dir, err)
	}
	defer w.Close()
	if err := w.Add(a.dir); err != nil {
		return fmt.Errorf("watch %s: %w", a.dir, err)
	}
	a.watchSubdirs(ctx, w)
	a.log.LogAttrs(ctx, slog.LevelInfo, "watching the knowledge directory", slog.String("dir", a.dir),
		slog.Duration("debounce", a.opt.Debounce), slog.String("version", a.Version()))
	a.Reload(ctx) // what changed before the watch began (cheap when nothing did)

	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Op == fsnotify.Chmod {
				continue // touch, chmod: the content is the same
			}
			if ev.Has(fsnotify.Create) && filepath.Dir(ev.Name) == filepath.Clean(a.dir) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					w.Add(ev.Name) // a new faq/ (git checkout, rsync): see what is saved into it
				}
			}
			quiet.Reset(a.opt.Debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// An overflow loses events: reload to be sure.
			a.log.LogAttrs(ctx, slog.LevelWarn, "watching the knowledge directory", slog.Any("error", err))
			quiet.Reset(a.opt.Debounce)
		case <-quiet.C:
			a.watchSubdirs(ctx, w)
			a.Reload(ctx)
		}
	}
}

// watchSubdirs watches every subdirectory of the knowledge directory again:
// one may have been replaced (a rename, or a symbolic link now pointing
// elsewhere) since it was added.
func (a *Assistant) watchSubdirs(ctx context.Context, w *fsnotify.Watcher) {
	des, err := os.ReadDir(a.dir)
	if err != nil {
		return // the reload reports it
	}
	for _, de := range des {
		p := filepath.Join(a.dir, de.Name())
		if skipped(de.Name()) {
			continue
		}
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			continue
		}
		w.Remove(p)
		if err := w.Add(p); err != nil {
			a.log.LogAttrs(ctx, slog.LevelWarn, "watching a knowledge subdirectory", slog.String("dir", p), slog.Any("error", err))
		}
	}
}
