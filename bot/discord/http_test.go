package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// signer signs requests as Discord does: ed25519 over timestamp + body.
type signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
	now  time.Time
}

func newSigner(t *testing.T) *signer {
	t.Helper()
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize) // deterministic is enough here
	priv := ed25519.NewKeyFromSeed(seed)
	return &signer{pub: priv.Public().(ed25519.PublicKey), priv: priv, now: time.Unix(1_767_225_600, 0)}
}

func (s *signer) request(body []byte, at time.Time) *http.Request {
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := ed25519.Sign(s.priv, append([]byte(ts), body...))
	r := httptest.NewRequest(http.MethodPost, "/interactions", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", ts)
	return r
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newTestEndpoint(t *testing.T, s *signer) *Endpoint {
	t.Helper()
	e := NewEndpoint(newTestHandler(t), s.pub, nil)
	e.Now = func() time.Time { return s.now }
	return e
}

func serve(e *Endpoint, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

func TestEndpointPing(t *testing.T) {
	s := newSigner(t)
	w := serve(newTestEndpoint(t, s), s.request(fixture(t, "ping"), s.now))
	if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != `{"type":1}` {
		t.Errorf("PING: %d %s, want 200 {\"type\":1}", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestEndpointRejects(t *testing.T) {
	s := newSigner(t)
	e := newTestEndpoint(t, s)
	ping := fixture(t, "ping")
	other := newSigner(t)
	other.priv = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))

	tests := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"no signature", func() *http.Request {
			r := s.request(ping, s.now)
			r.Header.Del("X-Signature-Ed25519")
			return r
		}, http.StatusUnauthorized},
		{"no timestamp", func() *http.Request {
			r := s.request(ping, s.now)
			r.Header.Del("X-Signature-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"signature not hex", func() *http.Request {
			r := s.request(ping, s.now)
			r.Header.Set("X-Signature-Ed25519", "zz")
			return r
		}, http.StatusUnauthorized},
		{"signed by another key", func() *http.Request { return other.request(ping, s.now) }, http.StatusUnauthorized},
		{"body changed after signing", func() *http.Request {
			r := s.request(ping, s.now)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(string(ping), `"type":1`, `"type":2`, 1)))
			return r
		}, http.StatusUnauthorized},
		{"timestamp changed after signing", func() *http.Request {
			r := s.request(ping, s.now)
			r.Header.Set("X-Signature-Timestamp", strconv.FormatInt(s.now.Unix()+1, 10))
			return r
		}, http.StatusUnauthorized},
		{"signed 6 minutes ago", func() *http.Request { return s.request(ping, s.now.Add(-6*time.Minute)) }, http.StatusUnauthorized},
		{"signed 6 minutes ahead", func() *http.Request { return s.request(ping, s.now.Add(6*time.Minute)) }, http.StatusUnauthorized},
		{"signed a day ago", func() *http.Request { return s.request(ping, s.now.Add(-24*time.Hour)) }, http.StatusUnauthorized},
		{"signed 4 minutes ago", func() *http.Request { return s.request(ping, s.now.Add(-4*time.Minute)) }, http.StatusOK},
		{"timestamp not a number", func() *http.Request {
			body := ping
			ts := "yesterday"
			sig := ed25519.Sign(s.priv, append([]byte(ts), body...))
			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
			r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
			r.Header.Set("X-Signature-Timestamp", ts)
			return r
		}, http.StatusUnauthorized},
		{"body too large", func() *http.Request {
			return s.request(append(ping[:len(ping):len(ping)], bytes.Repeat([]byte(" "), MaxInteractionBody)...), s.now)
		}, http.StatusRequestEntityTooLarge},
		{"signed but not JSON", func() *http.Request { return s.request([]byte("{not json"), s.now) }, http.StatusBadRequest},
		{"GET", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(e, tt.req())
			if w.Code != tt.want {
				t.Errorf("status = %d, want %d (%s)", w.Code, tt.want, w.Body)
			}
		})
	}

	var noKey Endpoint
	noKey.h = e.h
	if w := serve(&noKey, s.request(ping, time.Now())); w.Code != http.StatusUnauthorized {
		t.Errorf("endpoint without a key: %d, want 401", w.Code)
	}
}

func TestEndpointAnswers(t *testing.T) {
	s := newSigner(t)
	e := newTestEndpoint(t, s)
	tests := []struct {
		fixture string
		want    discordgo.InteractionResponseType
	}{
		{"ask_guild", discordgo.InteractionResponseChannelMessageWithSource},
		{"faq_command", discordgo.InteractionResponseChannelMessageWithSource},
		{"faq_autocomplete", discordgo.InteractionApplicationCommandAutocompleteResult},
		{"button_share", discordgo.InteractionResponseChannelMessageWithSource},
		{"about_command", discordgo.InteractionResponseChannelMessageWithSource},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			w := serve(e, s.request(fixture(t, tt.fixture), s.now))
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var resp struct {
				Type discordgo.InteractionResponseType `json:"type"`
				Data json.RawMessage                   `json:"data"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
				t.Fatalf("response is not JSON: %v: %s", err, w.Body)
			}
			if resp.Type != tt.want {
				t.Errorf("type = %d, want %d", resp.Type, tt.want)
			}
			checkLimits(t, json.RawMessage(w.Body.Bytes()))
		})
	}
}

func TestParsePublicKey(t *testing.T) {
	s := newSigner(t)
	got, err := ParsePublicKey(" " + hex.EncodeToString(s.pub) + "\n")
	if err != nil || !got.Equal(s.pub) {
		t.Errorf("ParsePublicKey = %x, %v", got, err)
	}
	for _, bad := range []string{"", "zz", hex.EncodeToString(s.pub[:16])} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) succeeded", bad)
		}
	}
}
