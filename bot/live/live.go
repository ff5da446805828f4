// Package live serves a knowledge directory that moderators edit while the
// bot runs. An Assistant answers from the last good knowledge; Reload (on a
// signal, a command, or Watch seeing the files change) checks the directory
// as `avnbot lint` does, golden questions included, and swaps a new
// assistant in only when there is no problem. Questions in flight finish on
// the assistant they started on, which is closed when the last of them
// returns: a reload never drops an interaction.
package live

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/avnbot/avnbot/bot"
	"github.com/avnbot/avnbot/knowledge"
)

// ErrClosed is returned by Ask and Explain after Close.
var ErrClosed = errors.New("live: assistant closed")

// DefaultDebounce is how long Watch waits after the last change to the files
// before it reloads: editors save in several steps (a temporary file, a
// rename), and a moderator may save a few files in a row.
const DefaultDebounce = 500 * time.Millisecond

// Options tune an Assistant; the zero value is ready to use.
type Options struct {
	Target   float64       // the least probability at which it answers, as for bot.New
	Debounce time.Duration // Watch's quiet time after a change; 0 is DefaultDebounce
	Log      *slog.Logger  // nil discards; never given question text
	// OnReload, when set, is called after every reload that Reload or Watch
	// attempts (for metrics and for admin commands that wait for one).
	OnReload func(Report)
}

// Assistant answers from the current knowledge of a directory and reloads
// it. It has the methods of *bot.Assistant that transports use and is safe
// for concurrent use.
type Assistant struct {
	dir string
	opt Options
	log *slog.Logger

	cur    atomic.Pointer[generation]
	mu     sync.Mutex // held by Reload and Close: one change at a time
	closed bool       // under mu
}

// generation is one knowledge set and the assistant built on it, counted
// by the questions using it.
type generation struct {
	a     *bot.Assistant
	kb    *knowledge.Base
	snap  snapshot
	refs  atomic.Int64 // questions in flight, plus one while it is current
	start time.Time
}

// acquire takes a reference; false when the generation is already retired.
func (g *generation) acquire() bool {
	for {
		n := g.refs.Load()
		if n == 0 {
			return false
		}
		if g.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference and closes the assistant with the last one.
func (g *generation) release() {
	if g.refs.Add(-1) == 0 {
		g.a.Close()
	}
}

// New loads the knowledge directory dir ("" for the embedded knowledge,
// which never changes), checks it as Reload would, and answers from it. A
// directory with problems is refused (a knowledge.Problems error naming
// files under dir): there is no last good knowledge to fall back on yet.
func New(dir string, opt Options) (*Assistant, error) {
	if opt.Debounce <= 0 {
		opt.Debounce = DefaultDebounce
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Assistant{dir: dir, opt: opt, log: log}
	snap, err := a.read()
	if err != nil {
		return nil, err
	}
	g, err := a.build(snap)
	if err != nil {
		return nil, err
	}
	a.cur.Store(g)
	return a, nil
}

// Version names the knowledge being served: a hash of its files, the same
// for the same files in any process (for metrics and the admin command).
// It is empty after Close.
func (a *Assistant) Version() string {
	if g := a.cur.Load(); g != nil {
		return g.snap.version
	}
	return ""
}

// Close stops serving. Questions in flight finish; the last one closes the
// assistant they ran on. Later questions get ErrClosed.
func (a *Assistant) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	if g := a.cur.Swap(nil); g != nil {
		g.release()
	}
	return nil
}

// use returns the current generation with a reference held; the caller
// releases it.
func (a *Assistant) use() *generation {
	for {
		g := a.cur.Load()
		if g == nil || g.acquire() {
			return g
		}
		// Retired between the load and the acquire: a reload swapped in a
		// newer one, which the next load sees.
	}
}

// Ask answers one message from the current knowledge.
func (a *Assistant) Ask(message string) (bot.Answer, error) {
	g := a.use()
	if g == nil {
		return bot.Answer{}, ErrClosed
	}
	defer g.release()
	return g.a.Ask(message)
}

// Explain answers like Ask and returns how (see bot.Assistant.Explain).
func (a *Assistant) Explain(message string, top int) (bot.Answer, bot.Trace, error) {
	g := a.use()
	if g == nil {
		return bot.Answer{}, bot.Trace{}, ErrClosed
	}
	defer g.release()
	return g.a.Explain(message, top)
}

// Show returns the answer of one entry; false when there is no such entry
// (any more) or the assistant is closed.
func (a *Assistant) Show(id string) (bot.Answer, bool) {
	g := a.use()
	if g == nil {
		return bot.Answer{}, false
	}
	defer g.release()
	return g.a.Show(id)
}

// Suggest ranks entries for what has been typed so far (autocomplete).
func (a *Assistant) Suggest(typed string, n int) []bot.Ref {
	g := a.use()
	if g == nil {
		return nil
	}
	defer g.release()
	return g.a.Suggest(typed, n)
}

// Topic is what the current knowledge covers, in a few words.
func (a *Assistant) Topic() string {
	g := a.use()
	if g == nil {
		return ""
	}
	defer g.release()
	return g.a.Topic()
}

// Topics lists every entry of the current knowledge.
func (a *Assistant) Topics() []bot.Ref {
	g := a.use()
	if g == nil {
		return nil
	}
	defer g.release()
	return g.a.Topics()
}

// Model is the current knowledge's trained decision, with its calibration
// (nil once closed). The model is plain data, safe to read after the
// knowledge it came from is swapped out.
func (a *Assistant) Model() *bot.Model {
	g := a.use()
	if g == nil {
		return nil
	}
	defer g.release()
	return g.a.Model()
}
