package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// controlTimeout bounds how long a gateway control waits for the client's
// first heartbeat on the current connection.
const controlTimeout = 10 * time.Second

// Identify is an op 2 IDENTIFY payload the client sent.
type Identify struct {
	Token   string  `json:"token"`
	Intents int     `json:"intents"`
	Shard   *[2]int `json:"shard,omitempty"`
	// Raw is the whole "d" object.
	Raw json.RawMessage `json:"-"`
}

// Resume is an op 6 RESUME payload the client sent.
type Resume struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Seq       int64  `json:"seq"`
}

// frame is a gateway payload in either direction.
type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s,omitempty"`
	T  string          `json:"t,omitempty"`
}

type gateway struct {
	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every state change
	cur        *conn         // the connection controls act on; nil between connections
	conns      map[*conn]struct{}
	sessionID  string
	seq        int64
	sessions   int
	identifies []Identify
	resumes    []Resume
	connects   int
	reject     *websocket.CloseError
}

type conn struct {
	ws        *websocket.Conn
	wmu       sync.Mutex
	ready     bool          // READY or RESUMED sent and not invalidated since
	heartbeat chan struct{} // closed when the first op 1 arrives
	hbOnce    sync.Once
	noAck     atomic.Bool // StopAcks: heartbeats go unanswered
}

func (g *gateway) init() {
	g.changed = make(chan struct{})
	g.conns = map[*conn]struct{}{}
}

// notify wakes every waiter; g.mu must be held.
func (g *gateway) notify() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// wait blocks until cond, evaluated with g.mu held, is true.
func (g *gateway) wait(ctx context.Context, cond func() bool) error {
	for {
		g.mu.Lock()
		ok, ch := cond(), g.changed
		g.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (c *conn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(controlTimeout))
	return c.ws.WriteJSON(v)
}

func (c *conn) closeWith(code int, reason string) {
	c.wmu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.ws.UnderlyingConn().Close()
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws, heartbeat: make(chan struct{})}
	g := &s.gw
	g.mu.Lock()
	g.conns[c] = struct{}{}
	g.cur = c
	g.connects++
	g.notify()
	g.mu.Unlock()
	defer func() {
		ws.UnderlyingConn().Close()
		g.mu.Lock()
		delete(g.conns, c)
		if g.cur == c {
			g.cur = nil
		}
		g.notify()
		g.mu.Unlock()
	}()

	hello := map[string]any{"heartbeat_interval": s.opts.heartbeat.Milliseconds()}
	if c.write(map[string]any{"op": 10, "d": hello}) != nil {
		return
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var f frame
		if json.Unmarshal(msg, &f) != nil {
			c.closeWith(4002, "Error while decoding payload.")
			return
		}
		switch f.Op {
		case 1:
			c.hbOnce.Do(func() { close(c.heartbeat) })
			if !c.noAck.Load() {
				c.write(map[string]any{"op": 11, "d": nil})
			}
		case 2:
			s.identify(c, f.D)
		case 6:
			s.resume(c, f.D)
		}
	}
}

func (s *Server) identify(c *conn, d json.RawMessage) {
	var id Identify
	json.Unmarshal(d, &id)
	id.Raw = append(json.RawMessage(nil), d...)
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	g.identifies = append(g.identifies, id)
	if g.reject != nil {
		g.rejectLocked(c)
		return
	}
	g.sessions++
	g.sessionID = "session-" + strconv.Itoa(g.sessions)
	g.seq = 0
	ready := map[string]any{
		"v":                  9,
		"session_id":         g.sessionID,
		"resume_gateway_url": s.GatewayURL(),
		"user":               map[string]any{"id": BotUserID, "username": BotUsername, "discriminator": "0", "bot": true},
		"application":        map[string]any{"id": ApplicationID, "flags": 0},
		"guilds":             []any{},
	}
	if id.Shard != nil {
		ready["shard"] = id.Shard
	}
	g.dispatchLocked(c, "READY", ready)
	c.ready = true
	g.notify()
}

func (s *Server) resume(c *conn, d json.RawMessage) {
	var r Resume
	json.Unmarshal(d, &r)
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	g.resumes = append(g.resumes, r)
	if g.reject != nil {
		g.rejectLocked(c)
		return
	}
	if r.SessionID == "" || r.SessionID != g.sessionID {
		c.write(map[string]any{"op": 9, "d": false})
		return
	}
	g.dispatchLocked(c, "RESUMED", map[string]any{})
	c.ready = true
	g.notify()
}

// rejectLocked closes c with the code set by RejectIdentify.
func (g *gateway) rejectLocked(c *conn) {
	if g.cur == c {
		g.cur = nil
	}
	g.notify()
	c.closeWith(g.reject.Code, g.reject.Text)
}

func (g *gateway) dispatchLocked(c *conn, event string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("dispatch %s: %w", event, err)
	}
	g.seq++
	seq := g.seq
	return c.write(frame{Op: 0, D: raw, S: &seq, T: event})
}

func (g *gateway) closeAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		c.ws.UnderlyingConn().Close()
	}
	g.cur = nil
	g.notify()
}

// errNoConnection is returned by controls when no client is connected.
var errNoConnection = errors.New("discordtest: no ready gateway connection")

// Dispatch sends an op 0 event with the next sequence number on the current
// connection, which must have received READY or RESUMED (see WaitReady).
func (s *Server) Dispatch(event string, data any) error {
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur == nil || !g.cur.ready {
		return errNoConnection
	}
	return g.dispatchLocked(g.cur, event, data)
}

// WaitConnected blocks until a client has a websocket connection open.
func (s *Server) WaitConnected(ctx context.Context) error {
	return s.gw.wait(ctx, func() bool { return s.gw.cur != nil })
}

// WaitReady blocks until the current connection has been sent READY or
// RESUMED. After Drop, Reconnect, InvalidSession or CloseWith it waits for
// the next one, so the counters are up to date when it returns.
func (s *Server) WaitReady(ctx context.Context) error {
	return s.gw.wait(ctx, func() bool { return s.gw.cur != nil && s.gw.cur.ready })
}

// control waits for the client's first heartbeat on the current connection
// (op 7 or a drop before it can make discordgo's stale heartbeat goroutine
// kill the next connection, upstream issue #406), then runs f with the
// gateway locked. f may detach the connection by setting g.cur to nil.
func (s *Server) control(f func(g *gateway, c *conn) error) error {
	g := &s.gw
	g.mu.Lock()
	c := g.cur
	g.mu.Unlock()
	if c == nil {
		return errNoConnection
	}
	select {
	case <-c.heartbeat:
	case <-time.After(controlTimeout):
		return errors.New("discordtest: no heartbeat from the client")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur != c {
		return errNoConnection
	}
	err := f(g, c)
	g.notify()
	return err
}

// Drop closes the current connection's TCP socket without a close frame;
// discordgo reconnects and sends RESUME.
func (s *Server) Drop() error {
	return s.control(func(g *gateway, c *conn) error {
		g.cur = nil
		return c.ws.UnderlyingConn().Close()
	})
}

// Reconnect sends op 7 RECONNECT; discordgo closes and resumes.
func (s *Server) Reconnect() error {
	return s.control(func(g *gateway, c *conn) error {
		g.cur = nil
		return c.write(map[string]any{"op": 7, "d": nil})
	})
}

// StopAcks makes the current connection a zombie: it stays open but no
// longer answers heartbeats with op 11 ACK, as a connection Discord has lost
// track of. Later connections are answered normally.
func (s *Server) StopAcks() error {
	return s.control(func(g *gateway, c *conn) error {
		c.noAck.Store(true)
		return nil
	})
}

// InvalidSession sends op 9 INVALID_SESSION. discordgo v0.29 ignores the
// flag and sends a new IDENTIFY on the same connection.
func (s *Server) InvalidSession(resumable bool) error {
	return s.control(func(g *gateway, c *conn) error {
		c.ready = false
		return c.write(map[string]any{"op": 9, "d": resumable})
	})
}

// CloseWith sends a close frame with code and reason (e.g. 4004, 4014) and
// closes the connection. discordgo then reconnects and resumes.
func (s *Server) CloseWith(code int, reason string) error {
	return s.control(func(g *gateway, c *conn) error {
		g.cur = nil
		c.closeWith(code, reason)
		return nil
	})
}

// RejectIdentify makes every later IDENTIFY and RESUME get a close frame
// with code and reason, as Discord does with 4004 for a bad token or 4014
// for disallowed intents. Code 0 restores normal answers.
func (s *Server) RejectIdentify(code int, reason string) {
	g := &s.gw
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reject = nil
	if code != 0 {
		g.reject = &websocket.CloseError{Code: code, Text: reason}
	}
}

// Identifies is the number of IDENTIFY payloads received.
func (s *Server) Identifies() int { return len(s.IdentifyPayloads()) }

// Resumes is the number of RESUME payloads received.
func (s *Server) Resumes() int { return len(s.ResumePayloads()) }

// Connections is the number of websocket connections accepted.
func (s *Server) Connections() int {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return s.gw.connects
}

// IdentifyPayloads returns the IDENTIFY payloads received, oldest first.
func (s *Server) IdentifyPayloads() []Identify {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return append([]Identify(nil), s.gw.identifies...)
}

// ResumePayloads returns the RESUME payloads received, oldest first.
func (s *Server) ResumePayloads() []Resume {
	s.gw.mu.Lock()
	defer s.gw.mu.Unlock()
	return append([]Resume(nil), s.gw.resumes...)
}
