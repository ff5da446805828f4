package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Vote is one 👍 or 👎 on an answer.
type Vote struct {
	Guild  string    // "" for a direct message
	Entry  string    // the FAQ entry the answer gave
	Answer string    // the answer's id (its Discord message id)
	Voter  string    // an opaque key for the voter, e.g. the user id: hashed, never stored
	Up     bool      // 👍; false is 👎
	At     time.Time // zero: now
}

// VoteResult says what a vote did.
type VoteResult int

const (
	// Counted: the voter's first vote on this answer.
	Counted VoteResult = iota + 1
	// Changed: the voter turned a 👍 into a 👎 or back; the counts moved.
	Changed
	// Repeated: the same vote again; nothing changed.
	Repeated
)

func (r VoteResult) String() string {
	switch r {
	case Counted:
		return "counted"
	case Changed:
		return "changed"
	case Repeated:
		return "repeated"
	}
	return fmt.Sprintf("VoteResult(%d)", int(r))
}

// Vote counts a vote for the entry. Each voter has one vote per answer within
// the vote window: a second vote changes it or, when the same, is Repeated.
// What is stored to know that is a keyed hash of (voter, answer) that expires
// with the window; the voter key itself is never stored. A nil Store counts
// nothing and returns Counted.
func (s *Store) Vote(ctx context.Context, v Vote) (VoteResult, error) {
	if s == nil {
		return Counted, nil
	}
	if v.Entry == "" || v.Answer == "" || v.Voter == "" {
		return 0, errors.New("store: vote: need the entry, the answer and the voter")
	}
	at := orNow(v.At)
	h := s.voteHash(v.Voter, v.Answer)
	var res VoteResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// An expired hash no longer binds the voter.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM vote_keys WHERE hash = ? AND expires <= ?`), h, at.Unix()); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, s.q(`INSERT INTO vote_keys (hash, guild, entry, at_hour, up, expires)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`),
			h, v.Guild, v.Entry, hour(at), v.Up, expiry(at, s.window))
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			res = Counted
			return s.count(ctx, tx, v.Guild, v.Entry, hour(at), v.Up, 1)
		}
		// A vote exists: flip it if it differs. The UPDATE locks the row, so
		// two replicas flipping at once flip it once.
		var guild, entry string
		var atHour int64
		err = tx.QueryRowContext(ctx, s.q(`UPDATE vote_keys SET up = ? WHERE hash = ? AND up <> ?
			RETURNING guild, entry, at_hour`), v.Up, h, v.Up).Scan(&guild, &entry, &atHour)
		if errors.Is(err, sql.ErrNoRows) {
			res = Repeated
			return nil
		}
		if err != nil {
			return err
		}
		res = Changed
		if err := s.count(ctx, tx, guild, entry, atHour, !v.Up, -1); err != nil {
			return err
		}
		return s.count(ctx, tx, guild, entry, atHour, v.Up, 1)
	})
	if err != nil {
		return 0, fmt.Errorf("store: vote: %w", err)
	}
	return res, nil
}

// expiry is when a vote cast at at stops binding: at+window, rounded up
// to the hour so that it does not tell when the vote was cast.
func expiry(at time.Time, window time.Duration) int64 {
	e := at.Add(window)
	if h := e.Truncate(time.Hour); !h.Equal(e) {
		e = h.Add(time.Hour)
	}
	return e.Unix()
}

// count adds delta to the 👍 (up) or 👎 count of entry in the hour.
func (s *Store) count(ctx context.Context, tx *sql.Tx, guild, entry string, atHour int64, up bool, delta int64) error {
	var u, d int64
	if up {
		u = delta
	} else {
		d = delta
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO votes (guild, entry, at_hour, up, down) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (guild, entry, at_hour) DO UPDATE SET up = votes.up + excluded.up, down = votes.down + excluded.down`),
		guild, entry, atHour, u, d)
	return err
}

// voteHash is HMAC-SHA256(secret, len(voter) voter answer): the length
// prefix keeps ("12", "3") and ("1", "23") apart.
func (s *Store) voteHash(voter, answer string) []byte {
	m := hmac.New(sha256.New, s.secret)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(voter)))
	m.Write(n[:])
	m.Write([]byte(voter))
	m.Write([]byte(answer))
	return m.Sum(nil)
}
