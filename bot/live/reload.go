package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/avnbot/avnbot/bot/check"
	"github.com/avnbot/avnbot/knowledge"
)

// Report says what a reload did: what changed, or why the new knowledge was
// refused. The old knowledge stays live unless OK.
type Report struct {
	Version   string // the knowledge live after the reload
	Previous  string // the knowledge live before it
	Unchanged bool   // the files are those already live: nothing was rebuilt

	Added, Removed, Edited []string // entry ids
	Files                  []string // files added, removed or changed

	// Problems is every problem of the new knowledge, files named under the
	// directory (as `avnbot lint DIR` names them): it was refused.
	Problems knowledge.Problems
	// Err is a failure that is not the knowledge's fault (the directory
	// cannot be read, the assistant cannot be built): it was not applied.
	Err error

	Took time.Duration // reading, checking and building
}

// OK reports whether the new knowledge is live (or was already).
func (r Report) OK() bool { return r.Err == nil && len(r.Problems) == 0 }

// String is the report for a moderator: one line when it went live, every
// problem when it did not.
func (r Report) String() string {
	switch {
	case r.Err != nil:
		return fmt.Sprintf("reload failed, still serving %s: %v", r.Version, r.Err)
	case len(r.Problems) > 0:
		var b strings.Builder
		fmt.Fprintf(&b, "reload refused, still serving %s: %d problem(s)", r.Version, len(r.Problems))
		for _, p := range r.Problems {
			b.WriteString("\n")
			b.WriteString(p.String())
		}
		return b.String()
	case r.Unchanged:
		return fmt.Sprintf("unchanged: serving %s", r.Version)
	}
	var parts []string
	for _, c := range []struct {
		what string
		ids  []string
	}{{"added", r.Added}, {"removed", r.Removed}, {"edited", r.Edited}} {
		if len(c.ids) > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", c.what, strings.Join(c.ids, ", ")))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no entry changed; files "+strings.Join(r.Files, ", "))
	}
	return fmt.Sprintf("reloaded %s (was %s) in %s: %s", r.Version, r.Previous, r.Took.Round(time.Millisecond), strings.Join(parts, "; "))
}

// Reload reads the directory again and, when it differs from the knowledge
// being served, checks it (check.FS: the loader, the synonyms, the golden
// questions on a new assistant) and swaps the new assistant in. On any
// problem the old knowledge stays live and the report lists every problem;
// they are also logged at warn level. Questions in flight finish on the
// assistant they started on. Reloads run one at a time.
func (a *Assistant) Reload(ctx context.Context) Report {
	r := a.reload(ctx)
	a.logReport(ctx, r)
	if a.opt.OnReload != nil {
		a.opt.OnReload(r)
	}
	return r
}

func (a *Assistant) reload(ctx context.Context) Report {
	start := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	old := a.cur.Load()
	if a.closed || old == nil {
		return Report{Err: ErrClosed}
	}
	r := Report{Version: old.snap.version, Previous: old.snap.version}
	if err := ctx.Err(); err != nil {
		r.Err = err
		r.Took = time.Since(start)
		return r
	}
	snap, err := a.read()
	if err != nil {
		r.Err = err
		r.Took = time.Since(start)
		return r
	}
	r.Files = changed(old.snap, snap)
	if snap.version == old.snap.version {
		r.Unchanged = true
		r.Took = time.Since(start)
		return r
	}
	g, err := a.build(snap)
	var ps knowledge.Problems
	switch {
	case errors.As(err, &ps):
		r.Problems = ps
	case err != nil:
		r.Err = err
	case ctx.Err() != nil:
		g.release()
		r.Err = ctx.Err()
	default:
		r.Added, r.Removed, r.Edited = diff(old.kb, g.kb)
		r.Version = g.snap.version
		a.cur.Store(g)
		old.release() // closed when its last question returns
	}
	r.Took = time.Since(start)
	return r
}

// build checks a snapshot and builds a generation on it.
func (a *Assistant) build(snap snapshot) (*generation, error) {
	ab, kb, err := check.FS(snap.files, a.opt.Target)
	if err != nil {
		return nil, check.Within(a.dir, err)
	}
	g := &generation{a: ab, kb: kb, snap: snap, start: time.Now()}
	g.refs.Store(1)
	return g, nil
}

func (a *Assistant) logReport(ctx context.Context, r Report) {
	switch {
	case r.Err != nil:
		a.log.LogAttrs(ctx, slog.LevelWarn, "knowledge reload failed; the last good knowledge stays live",
			slog.String("dir", a.dir), slog.String("version", r.Version), slog.Any("error", r.Err))
	case len(r.Problems) > 0:
		a.log.LogAttrs(ctx, slog.LevelWarn, "knowledge reload refused; the last good knowledge stays live",
			slog.String("dir", a.dir), slog.String("version", r.Version), slog.Int("problems", len(r.Problems)),
			slog.Any("files", r.Files))
		for _, p := range r.Problems {
			a.log.LogAttrs(ctx, slog.LevelWarn, "knowledge problem", slog.String("problem", p.String()))
		}
	case r.Unchanged:
		a.log.LogAttrs(ctx, slog.LevelDebug, "knowledge unchanged", slog.String("version", r.Version))
	default:
		a.log.LogAttrs(ctx, slog.LevelInfo, "knowledge reloaded",
			slog.String("version", r.Version), slog.String("previous", r.Previous),
			slog.Any("added", r.Added), slog.Any("removed", r.Removed), slog.Any("edited", r.Edited),
			slog.Any("files", r.Files), slog.Duration("took", r.Took))
	}
}

// diff compares the entries of two knowledge sets by id.
func diff(old, new *knowledge.Base) (added, removed, edited []string) {
	before := map[string]knowledge.Entry{}
	for _, e := range old.Entries {
		before[e.ID] = e
	}
	seen := map[string]bool{}
	for _, e := range new.Entries {
		seen[e.ID] = true
		if o, ok := before[e.ID]; !ok {
			added = append(added, e.ID)
		} else if !same(o, e) {
			edited = append(edited, e.ID)
		}
	}
	for _, e := range old.Entries {
		if !seen[e.ID] {
			removed = append(removed, e.ID)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	slices.Sort(edited)
	return added, removed, edited
}

// same reports whether two entries say the same (where their file's lines
// are does not matter).
func same(a, b knowledge.Entry) bool {
	return a.Question == b.Question && a.Answer == b.Answer && a.Reviewed == b.Reviewed && a.File == b.File &&
		slices.Equal(a.Alternates, b.Alternates) && slices.Equal(a.Tags, b.Tags) && slices.Equal(a.Citations, b.Citations)
}
