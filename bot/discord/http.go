package discord

import (
	"bytes"
	"container/list"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Defaults of the HTTP interactions endpoint.
const (
	// MaxInteractionBody bounds a request body; interactions are a few KiB.
	MaxInteractionBody = 64 << 10
	// ReplayWindow is how far a request's signed timestamp may be from now.
	// discordgo.VerifyInteraction checks the signature but not the age, so a
	// captured request could otherwise be replayed forever; within the
	// window, each interaction id is answered once.
	ReplayWindow = 5 * time.Minute
	// HTTPDeferAfter is how long the endpoint waits for an answer before it
	// responds "thinking…" (type 5) and sends the answer later by editing
	// that response. Discord drops an interaction not answered within 3 s.
	HTTPDeferAfter = 1500 * time.Millisecond
	// RejectLogEvery is how often, at most, the endpoint logs refused
	// requests of one kind (a bad signature, a stale timestamp...); each
	// line says how many were not logged since the last.
	RejectLogEvery = 10 * time.Second
	// maxSeen bounds the interaction ids remembered against replays.
	maxSeen = 100_000
)

// Endpoint serves Discord's HTTP interactions: it checks the ed25519
// signature and the age of each request, refuses an interaction it has
// already answered, answers PING, and writes the Handler's response as the
// HTTP response, so no REST call is needed. When the answer is not ready
// within DeferAfter it responds with a deferred response (type 5) and edits
// the answer in through Discord's webhook API once it is.
type Endpoint struct {
	h   *Handler
	key ed25519.PublicKey
	log *slog.Logger

	// Now is the clock (time.Now when nil); Window, MaxBody, DeferAfter and
	// LogEvery override ReplayWindow, MaxInteractionBody, HTTPDeferAfter
	// and RejectLogEvery when positive.
	Now        func() time.Time
	Window     time.Duration
	MaxBody    int64
	DeferAfter time.Duration
	LogEvery   time.Duration
	// Client sends the answers of deferred responses to Discord (see
	// RESTClient); nil: one to discord.com. No token is needed: the
	// interaction's own token authorises the edit.
	Client *http.Client
	// Metrics, when set, counts refused requests, deferrals and panics.
	Metrics Observer
	// Workers bounds the interactions answered at once (default: one per
	// CPU); the others wait their turn. Answering is CPU work: unbounded,
	// a burst would slow every answer down, and even the deferred
	// responses would miss the deadline waiting for a CPU.
	Workers int

	init     sync.Once
	seen     *seen
	quiet    *quietLog
	rest     *webhookClient
	workers  chan struct{}
	inFlight sync.WaitGroup // deferred answers still to send
}

// NewEndpoint returns an endpoint that answers with h the interactions signed
// with the application's public key. A nil logger discards logs.
func NewEndpoint(h *Handler, key ed25519.PublicKey, log *slog.Logger) *Endpoint {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Endpoint{h: h, key: key, log: log}
}

// ParsePublicKey decodes the application's public key as the developer
// portal shows it, in hex.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key: %d bytes, want %d (copy it from the developer portal's General Information page)", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

func (e *Endpoint) setup() {
	e.init.Do(func() {
		window := e.Window
		if window <= 0 {
			window = ReplayWindow
		}
		// A timestamp may be up to a window either side of now, so an id
		// must be remembered for two.
		e.seen = newSeen(2*window, maxSeen)
		every := e.LogEvery
		if every <= 0 {
			every = RejectLogEvery
		}
		e.quiet = &quietLog{every: every, next: map[string]time.Time{}, dropped: map[string]int{}}
		client := e.Client
		if client == nil {
			client = &http.Client{Timeout: 20 * time.Second}
		}
		n := e.Workers
		if n <= 0 {
			n = runtime.GOMAXPROCS(0)
		}
		e.workers = make(chan struct{}, n)
		e.rest = &webhookClient{client: client, agent: "DiscordBot (https://github.com/avnbot/avnbot, 1)", log: e.logger(), obs: e.obs()}
	})
}

func (e *Endpoint) obs() Observer { return observer(e.Metrics) }

func (e *Endpoint) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// refuse answers a refused request with status and counts it; the log line
// is rate-limited per reason, since anyone on the internet can send these.
func (e *Endpoint) refuse(ctx context.Context, w http.ResponseWriter, r *http.Request, reason string, level slog.Level, msg string, status int) {
	e.obs().Rejected(reason)
	if ok, dropped := e.quiet.allow(reason, e.now()); ok {
		e.logger().LogAttrs(ctx, level, msg, slog.String("remote", r.RemoteAddr), slog.Int("suppressed", dropped))
	}
	http.Error(w, http.StatusText(status)+": "+strings.ReplaceAll(reason, "_", " "), status)
}

func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	e.setup()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	limit := e.MaxBody
	if limit <= 0 {
		limit = MaxInteractionBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			e.refuse(ctx, w, r, "too_large", slog.LevelWarn, "interaction body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(e.key) != ed25519.PublicKeySize || !discordgo.VerifyInteraction(r, e.key) {
		e.refuse(ctx, w, r, "bad_signature", slog.LevelInfo, "interaction with a bad signature", http.StatusUnauthorized)
		return
	}
	if !e.fresh(r.Header.Get("X-Signature-Timestamp")) {
		e.refuse(ctx, w, r, "stale", slog.LevelWarn, "interaction outside the replay window", http.StatusUnauthorized)
		return
	}

	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		e.refuse(ctx, w, r, "bad_json", slog.LevelWarn, "signed interaction is not valid JSON", http.StatusBadRequest)
		return
	}
	if !e.seen.add(i.ID, e.now()) {
		e.refuse(ctx, w, r, "replay", slog.LevelWarn, "interaction already answered (replayed request)", http.StatusUnauthorized)
		return
	}
	if i.Type == discordgo.InteractionPing {
		e.write(ctx, w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	e.answer(ctx, w, &i)
}

// answer writes the Handler's response when it comes within DeferAfter;
// otherwise it writes a deferred response (type 5, private when the answer
// will be) and edits the answer in when it is ready. A panic in the
// Handler gets the same private apology as on the gateway.
func (e *Endpoint) answer(ctx context.Context, w http.ResponseWriter, i *discordgo.Interaction) {
	log := e.logger().With(slog.String("interaction", i.ID))
	// The answer may outlive the request: bound it as on the gateway.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	done := make(chan *discordgo.InteractionResponse, 1)
	go func() {
		select {
		case e.workers <- struct{}{}:
			defer func() { <-e.workers }()
		case <-actx.Done():
			log.LogAttrs(actx, slog.LevelError, "interaction not answered: too busy")
			done <- sorry()
			return
		}
		defer func() {
			if r := recover(); r != nil {
				log.LogAttrs(actx, slog.LevelError, "interaction handler panicked", slog.Any("panic", r))
				e.obs().Panic()
				done <- sorry()
			}
		}()
		done <- e.h.Interaction(actx, i)
	}()
	after := e.DeferAfter
	if after <= 0 {
		after = HTTPDeferAfter
	}
	timer := time.NewTimer(after)
	defer timer.Stop()
	select {
	case resp := <-done:
		cancel()
		e.write(ctx, w, resp)
		return
	case <-timer.C:
	}
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		resp := <-done // choices cannot be deferred
		cancel()
		e.write(ctx, w, resp)
		return
	}
	flags := discordgo.MessageFlags(0)
	if ephemeral(i, e.h.cfg.AskPrivate) {
		flags = discordgo.MessageFlagsEphemeral
	}
	e.obs().Deferred()
	e.inFlight.Add(1)
	go func() {
		defer e.inFlight.Done()
		defer cancel()
		resp := <-done
		if err := e.rest.followup(actx, appIDOf(i), i.Token, flags, resp.Data); err != nil {
			log.LogAttrs(actx, slog.LevelError, "edit deferred response", slog.String("err", err.Error()))
			return
		}
		log.LogAttrs(actx, slog.LevelDebug, "deferred interaction answered")
	}()
	e.write(ctx, w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags}})
}

// Wait blocks until the answers of deferred responses are sent, or ctx is
// done. Call it after the HTTP server has shut down.
func (e *Endpoint) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { e.inFlight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func appIDOf(i *discordgo.Interaction) string { return i.AppID }

// fresh reports whether the signed timestamp (Unix seconds) is within the
// replay window of now, on either side.
func (e *Endpoint) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	window := e.Window
	if window <= 0 {
		window = ReplayWindow
	}
	d := e.now().Sub(time.Unix(sec, 0))
	return d <= window && d >= -window
}

func (e *Endpoint) write(ctx context.Context, w http.ResponseWriter, resp *discordgo.InteractionResponse) {
	b, err := json.Marshal(resp)
	if err != nil {
		e.logger().LogAttrs(ctx, slog.LevelError, "marshal interaction response", slog.String("err", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if _, err := w.Write(b); err != nil {
		e.logger().LogAttrs(ctx, slog.LevelWarn, "write interaction response", slog.String("err", err.Error()))
	}
}

func (e *Endpoint) logger() *slog.Logger {
	if e.log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.log
}

// seen is a bounded set of interaction ids that expire after ttl: an id
// added twice within ttl is a replay. Ids expire in the order they came, so
// a list from oldest to newest makes adding and expiring O(1). Past max ids
// the oldest are forgotten early, which bounds memory under a flood.
type seen struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	ids   map[string]*list.Element // of seenID
	order list.List                // oldest first
}

type seenID struct {
	id string
	at time.Time
}

func newSeen(ttl time.Duration, max int) *seen {
	return &seen{ttl: ttl, max: max, ids: map[string]*list.Element{}}
}

// add records id at now and reports whether it is new (not seen within ttl).
func (s *seen) add(id string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for e := s.order.Front(); e != nil; e = s.order.Front() {
		if v := e.Value.(seenID); now.Sub(v.at) < s.ttl && len(s.ids) < s.max {
			break
		}
		delete(s.ids, e.Value.(seenID).id)
		s.order.Remove(e)
	}
	if _, ok := s.ids[id]; ok {
		return false
	}
	s.ids[id] = s.order.PushBack(seenID{id, now})
	return true
}

// quietLog lets through at most one log line per reason and interval, and
// counts the lines it held back.
type quietLog struct {
	every time.Duration

	mu      sync.Mutex
	next    map[string]time.Time
	dropped map[string]int
}

// allow reports whether a line for reason may be written at now, and how
// many were held back since the last one.
func (q *quietLog) allow(reason string, now time.Time) (bool, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if now.Before(q.next[reason]) {
		q.dropped[reason]++
		return false, 0
	}
	n := q.dropped[reason]
	q.next[reason] = now.Add(q.every)
	q.dropped[reason] = 0
	return true, n
}
