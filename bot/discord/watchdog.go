package discord

import (
	"context"
	"log/slog"
	"time"
)

// zombieCode closes a connection found dead. Any code but 1000 and 1001
// keeps the session resumable.
const zombieCode = 4000

// watchdog closes a gateway connection that stops acknowledging heartbeats
// (a "zombie": the socket looks open but nothing comes back), so the
// reconnect loop resumes on a fresh one. discordgo notices only after five
// heartbeat intervals without an ACK (FailedHeartbeatAcks, a constant), and
// only when it next sends a heartbeat: 3½ to 4 minutes on Discord. The
// watchdog notices when no ACK has come for 1.5 intervals, well within two.
//
// discordgo does not expose the heartbeat interval, and only
// LastHeartbeatAck can be read without a data race (it is written under the
// session lock), so the watchdog learns the interval as the latest gap
// between two ACKs that is at least minBeat long (shorter gaps are the ACK
// right after HELLO, a round trip apart) and does not span a reconnection.
// Until it has one, discordgo's own check is the only one.
func (b *Bot) watchdog(ctx context.Context) {
	t := time.NewTicker(b.watch)
	defer t.Stop()
	var last time.Time     // the ACK time last seen
	var beat time.Duration // the heartbeat interval as learnt; 0: not yet
	skip := false          // the next gap spans a reconnection: not an interval
	var conn int64         // b.conns when last looked
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		b.s.RLock()
		ack, ready := b.s.LastHeartbeatAck, b.s.DataReady
		b.s.RUnlock()
		if n := b.conns.Load(); n != conn {
			// A new connection (counted before it opens): the gap from the
			// old one's last ACK to the new one's first says nothing of
			// the interval.
			conn, last, skip = n, ack, true
			continue
		}
		if !ack.Equal(last) {
			if gap := ack.Sub(last); !last.IsZero() && !skip && gap >= b.minBeat {
				beat = gap
			}
			last, skip = ack, false
			continue
		}
		silent := time.Since(ack)
		if !ready || beat == 0 || silent <= beat*3/2 {
			continue
		}
		b.log.LogAttrs(ctx, slog.LevelWarn, "discord stopped acknowledging heartbeats; reconnecting",
			slog.Duration("silent", silent), slog.Duration("interval", beat))
		b.obs.Zombie()
		skip = true
		b.s.CloseWithCode(zombieCode) // emits Disconnect: Run reconnects and resumes
	}
}
