package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Defaults of the HTTP interactions endpoint.
const (
	// MaxInteractionBody bounds a request body; interactions are a few KiB.
	MaxInteractionBody = 64 << 10
	// ReplayWindow is how far a request's signed timestamp may be from now.
	// discordgo.VerifyInteraction checks the signature but not the age, so a
	// captured request could otherwise be replayed forever.
	ReplayWindow = 5 * time.Minute
)

// Endpoint serves Discord's HTTP interactions: it checks the ed25519
// signature and the age of each request, answers PING, and writes the
// Handler's response as the HTTP response, so no REST call is needed.
type Endpoint struct {
	h   *Handler
	key ed25519.PublicKey
	log *slog.Logger

	// Now is the clock (time.Now when nil); Window and MaxBody override
	// ReplayWindow and MaxInteractionBody when positive.
	Now     func() time.Time
	Window  time.Duration
	MaxBody int64
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

func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
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
			e.logger().LogAttrs(ctx, slog.LevelWarn, "interaction body too large", slog.Int64("limit", limit))
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(e.key) != ed25519.PublicKeySize || !discordgo.VerifyInteraction(r, e.key) {
		e.logger().LogAttrs(ctx, slog.LevelInfo, "interaction with a bad signature", slog.String("remote", r.RemoteAddr))
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	if !e.fresh(r.Header.Get("X-Signature-Timestamp")) {
		e.logger().LogAttrs(ctx, slog.LevelWarn, "interaction outside the replay window", slog.String("remote", r.RemoteAddr))
		http.Error(w, "invalid request timestamp", http.StatusUnauthorized)
		return
	}

	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil {
		e.logger().LogAttrs(ctx, slog.LevelWarn, "signed interaction is not valid JSON", slog.String("err", err.Error()))
		http.Error(w, "invalid interaction", http.StatusBadRequest)
		return
	}
	var resp *discordgo.InteractionResponse
	if i.Type == discordgo.InteractionPing {
		resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}
	} else {
		resp = e.h.Interaction(ctx, &i)
	}
	e.write(ctx, w, resp)
}

// fresh reports whether the signed timestamp (Unix seconds) is within the
// replay window of now, on either side.
func (e *Endpoint) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	window := e.Window
	if window <= 0 {
		window = ReplayWindow
	}
	d := now().Sub(time.Unix(sec, 0))
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
