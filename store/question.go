package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// Kind is what sort of reply a question got; the values are those of
// bot.Kind, so a caller converts with store.Kind(answer.Kind).
type Kind string

const (
	Answered Kind = "answered"  // a curated entry answered it
	NoMatch  Kind = "no_match"  // on topic, but no curated entry covers it
	OffTopic Kind = "off_topic" // greetings, chit-chat, unrelated text
)

func (k Kind) valid() bool { return k == Answered || k == NoMatch || k == OffTopic }

// Event is the outcome of one question. It holds no user id and no text.
type Event struct {
	Guild   string        // the server it was asked in; "" for a direct message
	Kind    Kind          // answered, no_match or off_topic
	EntryID string        // the entry that answered; ignored unless Kind is Answered
	Urgent  bool          // a red flag matched
	Crisis  bool          // the red flag is about suicide or self-harm
	Latency time.Duration // from question to answer
	At      time.Time     // when it was asked (kept to the hour); zero: now
}

// RecordQuestion records the outcome of one question. A nil Store does nothing.
func (s *Store) RecordQuestion(ctx context.Context, e Event) error {
	if s == nil {
		return nil
	}
	if !e.Kind.valid() {
		return fmt.Errorf("store: record question: kind %q: use answered, no_match or off_topic", e.Kind)
	}
	entry := ""
	if e.Kind == Answered {
		entry = e.EntryID
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO questions (guild, kind, entry, urgent, crisis, latency_us, at_hour) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		e.Guild, string(e.Kind), entry, e.Urgent, e.Crisis, max(e.Latency, 0).Microseconds(), hour(orNow(e.At)))
	if err != nil {
		return fmt.Errorf("store: record question: %w", err)
	}
	return nil
}

// Stats is what happened in a window.
type Stats struct {
	Questions int64 // questions asked
	Answered  int64
	NoMatch   int64
	OffTopic  int64
	Urgent    int64 // red flags (crisis included)
	Crisis    int64
	P50, P99  time.Duration // answer latency, nearest rank; 0 with no questions
	Votes     []EntryVotes  // per entry, by entry id
}

// EntryVotes is the 👍/👎 count of one FAQ entry.
type EntryVotes struct {
	Entry    string
	Up, Down int64
}

// Stats sums the questions and votes of guild ("" = every guild and direct
// messages) from the hour that holds since.
func (s *Store) Stats(ctx context.Context, guild string, since time.Time) (Stats, error) {
	var st Stats
	if s == nil {
		return st, ErrNoStore
	}
	where, args := guildFilter(guild)
	args = append([]any{hour(since)}, args...)
	row := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN kind = 'answered' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN kind = 'no_match' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN kind = 'off_topic' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN urgent THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN crisis THEN 1 ELSE 0 END), 0)
		FROM questions WHERE at_hour >= ?`+where), args...)
	if err := row.Scan(&st.Questions, &st.Answered, &st.NoMatch, &st.OffTopic, &st.Urgent, &st.Crisis); err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	var err error
	if st.P50, err = s.percentile(ctx, where, args, st.Questions, 0.50); err != nil {
		return st, err
	}
	if st.P99, err = s.percentile(ctx, where, args, st.Questions, 0.99); err != nil {
		return st, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT entry, SUM(up), SUM(down) FROM votes
		WHERE at_hour >= ?`+where+` GROUP BY entry HAVING SUM(up) > 0 OR SUM(down) > 0 ORDER BY entry`), args...)
	if err != nil {
		return st, fmt.Errorf("store: stats: votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v EntryVotes
		if err := rows.Scan(&v.Entry, &v.Up, &v.Down); err != nil {
			return st, fmt.Errorf("store: stats: votes: %w", err)
		}
		st.Votes = append(st.Votes, v)
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("store: stats: votes: %w", err)
	}
	return st, nil
}

// percentile is the nearest-rank p-th percentile latency of the n questions
// the filter selects, read by the database at its rank.
func (s *Store) percentile(ctx context.Context, where string, args []any, n int64, p float64) (time.Duration, error) {
	if n == 0 {
		return 0, nil
	}
	rank := int64(math.Ceil(p * float64(n)))
	var us int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT latency_us FROM questions WHERE at_hour >= ?`+where+
		` ORDER BY latency_us LIMIT 1 OFFSET ?`), append(args, rank-1)...).Scan(&us)
	if err == sql.ErrNoRows { // rows swept between the two queries
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: stats: latency: %w", err)
	}
	return time.Duration(us) * time.Microsecond, nil
}
