package discordtest

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// closeHooks maps a close reason to the function the test registered for
// it; discordgo's Logger is package-wide, so tests tell their sessions
// apart by a reason unique to the test.
var closeHooks sync.Map // string → func(*websocket.CloseError)

func TestMain(m *testing.M) {
	// The only place discordgo v0.29 shows a close code received after the
	// handshake is its log; it also silences discordgo's log noise.
	discordgo.Logger = func(_, _ int, _ string, args ...any) {
		for _, a := range args {
			var ce *websocket.CloseError
			if err, ok := a.(error); ok && errors.As(err, &ce) {
				if f, ok := closeHooks.Load(ce.Text); ok {
					f.(func(*websocket.CloseError))(ce)
				}
			}
		}
	}
	os.Exit(m.Run())
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openSession opens a session on srv and waits until the fake sent READY.
func openSession(t *testing.T, srv *Server) *discordgo.Session {
	t.Helper()
	dg := srv.Session(t)
	if err := dg.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := srv.WaitReady(testContext(t)); err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	return dg
}

func receive[T any](t *testing.T, ctx context.Context, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("waiting for %T: %v", *new(T), ctx.Err())
		panic("unreachable")
	}
}

func TestInteractionRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t, WithValidation())
	dg := srv.Session(t)
	ready := make(chan *discordgo.Ready, 1)
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
	responded := make(chan error, 1)
	dg.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		responded <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Embeds:          []*discordgo.MessageEmbed{{Title: "Docs", Description: "See the handbook."}},
				AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
			},
		})
	})
	if err := dg.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	r := receive(t, ctx, ready)
	if got, want := r.User.ID, BotUserID; got != want {
		t.Errorf("READY user id = %q, want %q", got, want)
	}
	if got, want := r.SessionID, "session-1"; got != want {
		t.Errorf("READY session_id = %q, want %q", got, want)
	}
	ids := srv.IdentifyPayloads()
	if len(ids) != 1 || ids[0].Token != "Bot test-token" || ids[0].Intents != int(dg.Identify.Intents) {
		t.Errorf("IDENTIFY payloads = %+v, want one with the token and intents %d", ids, dg.Identify.Intents)
	}

	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.Dispatch("INTERACTION_CREATE", commandInteraction("400000000000000001", "token-1")); err != nil {
		t.Fatalf("Dispatch: %v", err)
	}
	if err := receive(t, ctx, responded); err != nil {
		t.Fatalf("InteractionRespond: %v", err)
	}
	req, err := srv.WaitRequest(ctx, "POST", "/interactions/{id}/{token}/callback")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := req.Path, "/api/v9/interactions/400000000000000001/token-1/callback"; got != want {
		t.Errorf("callback path = %q, want %q", got, want)
	}
	if got, want := req.Header.Get("Authorization"), "Bot test-token"; got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
	if got, want := req.Status, 204; got != want {
		t.Errorf("callback status = %d, want %d", got, want)
	}
	Validate(t, req)
}

// commandInteraction is an INTERACTION_CREATE payload for /ask.
func commandInteraction(id, token string) map[string]any {
	return map[string]any{
		"id": id, "application_id": ApplicationID, "type": 2, "token": token, "version": 1,
		"guild_id": "500000000000000001", "channel_id": "500000000000000002", "locale": "en-US",
		"member": map[string]any{"user": map[string]any{"id": "600000000000000001", "username": "asker"}, "roles": []string{}},
		"data": map[string]any{
			"id": "700000000000000001", "name": "ask", "type": 1,
			"options": []map[string]any{{"name": "question", "type": 3, "value": "where are the docs?"}},
		},
	}
}

func TestDropResumes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	dg := openSession(t, srv)
	messages := make(chan *discordgo.MessageCreate, 1)
	dg.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { messages <- m })

	if err := srv.Drop(); err != nil {
		t.Fatalf("Drop: %v", err)
	}
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Resumes(), 1; got != want {
		t.Fatalf("Resumes() = %d, want %d", got, want)
	}
	if got, want := srv.Identifies(), 1; got != want {
		t.Errorf("Identifies() = %d, want %d", got, want)
	}
	if got, want := srv.Connections(), 2; got != want {
		t.Errorf("Connections() = %d, want %d", got, want)
	}
	// READY was seq 1: the client resumes from it.
	if got, want := srv.ResumePayloads()[0], (Resume{Token: "Bot test-token", SessionID: "session-1", Seq: 1}); got != want {
		t.Errorf("RESUME = %+v, want %+v", got, want)
	}
	// Events still arrive on the resumed connection.
	if err := srv.Dispatch("MESSAGE_CREATE", map[string]any{"id": "1", "channel_id": "2", "content": "hi"}); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, ctx, messages); got.Content != "hi" {
		t.Errorf("MESSAGE_CREATE content = %q, want %q", got.Content, "hi")
	}
}

func TestReconnectResumes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	openSession(t, srv)
	if err := srv.Reconnect(); err != nil {
		t.Fatalf("Reconnect: %v", err)
	}
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := [2]int{srv.Identifies(), srv.Resumes()}, [2]int{1, 1}; got != want {
		t.Errorf("identifies, resumes = %v, want %v", got, want)
	}
}

func TestInvalidSessionIdentifiesAgain(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	openSession(t, srv)
	if err := srv.InvalidSession(false); err != nil {
		t.Fatalf("InvalidSession: %v", err)
	}
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	got := [3]int{srv.Identifies(), srv.Resumes(), srv.Connections()}
	if want := [3]int{2, 0, 1}; got != want {
		t.Errorf("identifies, resumes, connections = %v, want %v (re-IDENTIFY on the same socket)", got, want)
	}
}

// TestOpenReturnsCloseCode: Discord closes with 4004 or 4014 right after
// IDENTIFY, and then Open returns the *websocket.CloseError.
func TestOpenReturnsCloseCode(t *testing.T) {
	t.Parallel()
	srv := New(t)
	srv.RejectIdentify(4004, "Authentication failed.")
	dg := srv.Session(t)
	err := dg.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4004 {
		t.Fatalf("Open() = %v, want a *websocket.CloseError with code 4004", err)
	}
	if got, want := srv.Connections(), 1; got != want {
		t.Errorf("Connections() = %d, want %d (no reconnect after a failed Open)", got, want)
	}
}

// TestCloseCodeReconnects: a close code after the handshake reaches only
// discordgo's Logger, and discordgo reconnects and resumes even on 4004.
func TestCloseCodeReconnects(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	dg := srv.Session(t)
	dg.LogLevel = discordgo.LogWarning
	codes := make(chan int, 1)
	closeHooks.Store(t.Name(), func(ce *websocket.CloseError) {
		select {
		case codes <- ce.Code:
		default:
		}
	})
	if err := dg.Open(); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.CloseWith(4004, t.Name()); err != nil {
		t.Fatal(err)
	}
	if got, want := receive(t, ctx, codes), 4004; got != want {
		t.Errorf("close code seen by Logger = %d, want %d", got, want)
	}
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Resumes(), 1; got != want {
		t.Errorf("Resumes() = %d, want %d: discordgo reconnects even after 4004", got, want)
	}
}

// TestCloseCodeHook shows how a bot stops on a fatal close code: in the
// Logger, before discordgo's reconnect reads the flag, clear
// ShouldReconnectOnError.
func TestCloseCodeHook(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	srv := New(t)
	dg := srv.Session(t)
	dg.LogLevel = discordgo.LogWarning
	stopped := make(chan int, 1)
	closeHooks.Store(t.Name(), func(ce *websocket.CloseError) {
		if ce.Code == 4004 || ce.Code == 4014 {
			dg.ShouldReconnectOnError = false // runs in the listen goroutine, before reconnect
			select {
			case stopped <- ce.Code:
			default:
			}
		}
	})
	if err := dg.Open(); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.CloseWith(4014, t.Name()); err != nil {
		t.Fatal(err)
	}
	if got, want := receive(t, ctx, stopped), 4014; got != want {
		t.Errorf("close code = %d, want %d", got, want)
	}
	// discordgo's Close sleeps 1 s before it would reconnect: a second
	// connection within 3 s means the hook did not stop it.
	wait, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := srv.WaitConnected(wait); err == nil {
		t.Errorf("client reconnected after 4014; Connections() = %d", srv.Connections())
	}
}
