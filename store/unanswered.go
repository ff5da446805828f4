package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Question is a question the assistant could not answer, as the caller
// hands it over. Only its redacted text is stored, with no user id.
type Question struct {
	Guild string    // "" for a direct message
	Kind  Kind      // no_match or off_topic
	Text  string    // as asked: Redact runs before anything is stored
	At    time.Time // zero: now (kept to the hour)
}

// Status is where a moderator has put an unanswered question.
type Status string

const (
	StatusOpen      Status = "open"      // waiting for a moderator
	StatusDismissed Status = "dismissed" // not worth an FAQ entry
	StatusCovered   Status = "covered"   // an FAQ entry now answers it
)

func (s Status) valid() bool { return s == StatusOpen || s == StatusDismissed || s == StatusCovered }

// Group is a set of similar open unanswered questions.
type Group struct {
	Key      string    // the normalised words of its most frequent phrasing; MarkGroup takes it
	Example  string    // its most frequent redacted text
	Count    int       // how many times it was asked
	NoMatch  int       // of which the assistant found it on topic but not covered
	OffTopic int       // of which it found it off topic
	First    time.Time // the hour it was first asked in the window
	Last     time.Time // the hour it was last asked
	IDs      []int64   // its questions, for Mark
}

// RecordUnanswered redacts and stores a question the assistant abstained on
// and returns its id. The caller decides whether to record at all
// (RECORD_UNANSWERED, off by default: question text is health data). A nil
// Store does nothing.
func (s *Store) RecordUnanswered(ctx context.Context, q Question) (int64, error) {
	if s == nil {
		return 0, nil
	}
	if q.Kind != NoMatch && q.Kind != OffTopic {
		return 0, fmt.Errorf("store: record unanswered: kind %q: use no_match or off_topic", q.Kind)
	}
	text := Redact(q.Text)
	var id int64
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO unanswered (guild, kind, text, group_key, status, at_hour)
		VALUES (?, ?, ?, ?, 'open', ?) RETURNING id`),
		q.Guild, string(q.Kind), text, groupKey(text), hour(orNow(q.At))).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: record unanswered: %w", err)
	}
	return id, nil
}

// Unanswered returns the open unanswered questions of guild ("" = every
// guild and direct messages) from the hour that holds since, grouped by
// similarity (see Similar), most asked first; at most limit groups
// (limit <= 0: all).
func (s *Store) Unanswered(ctx context.Context, guild string, since time.Time, limit int) ([]Group, error) {
	if s == nil {
		return nil, ErrNoStore
	}
	rows, err := s.open(ctx, guild, hour(since))
	if err != nil {
		return nil, fmt.Errorf("store: unanswered: %w", err)
	}
	groups := cluster(rows)
	if limit > 0 && len(groups) > limit {
		groups = groups[:limit]
	}
	return groups, nil
}

// open reads the open unanswered questions of guild from the hour on.
func (s *Store) open(ctx context.Context, guild string, from int64) ([]row, error) {
	where, args := guildFilter(guild)
	rs, err := s.db.QueryContext(ctx, s.q(`SELECT id, kind, text, group_key, at_hour FROM unanswered
		WHERE status = 'open' AND at_hour >= ?`+where+` ORDER BY id`), append([]any{from}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var rows []row
	for rs.Next() {
		var r row
		var kind string
		if err := rs.Scan(&r.id, &kind, &r.text, &r.key, &r.at); err != nil {
			return nil, err
		}
		r.kind = Kind(kind)
		rows = append(rows, r)
	}
	return rows, rs.Err()
}

// Mark sets the status of the unanswered questions with the given ids and
// returns how many it changed.
func (s *Store) Mark(ctx context.Context, status Status, ids ...int64) (int64, error) {
	if s == nil {
		return 0, ErrNoStore
	}
	if !status.valid() {
		return 0, fmt.Errorf("store: mark: status %q: use open, dismissed or covered", status)
	}
	n, err := s.mark(ctx, status, ids)
	if err != nil {
		return 0, fmt.Errorf("store: mark: %w", err)
	}
	return n, nil
}

// MarkGroup sets the status of every open unanswered question of guild
// ("" = all), whatever its age, that is similar to key (a Group's Key) by the
// rule Unanswered groups with, and returns how many it changed.
func (s *Store) MarkGroup(ctx context.Context, guild, key string, status Status) (int64, error) {
	if s == nil {
		return 0, ErrNoStore
	}
	if !status.valid() {
		return 0, fmt.Errorf("store: mark group: status %q: use open, dismissed or covered", status)
	}
	rows, err := s.open(ctx, guild, 0)
	if err != nil {
		return 0, fmt.Errorf("store: mark group: %w", err)
	}
	want := strings.Fields(key)
	var ids []int64
	for _, r := range rows {
		if jaccard(strings.Fields(r.key), want) >= Similar {
			ids = append(ids, r.id)
		}
	}
	n, err := s.mark(ctx, status, ids)
	if err != nil {
		return 0, fmt.Errorf("store: mark group: %w", err)
	}
	return n, nil
}

// mark sets the ids' status in one transaction, in batches.
func (s *Store) mark(ctx context.Context, status Status, ids []int64) (int64, error) {
	const batch = 500
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for len(ids) > 0 {
			part := ids[:min(batch, len(ids))]
			ids = ids[len(part):]
			args := []any{string(status), string(status)}
			for _, id := range part {
				args = append(args, id)
			}
			r, err := tx.ExecContext(ctx, s.q(`UPDATE unanswered SET status = ? WHERE status <> ? AND id IN (?`+
				strings.Repeat(", ?", len(part)-1)+`)`), args...)
			if err != nil {
				return err
			}
			c, err := r.RowsAffected()
			if err != nil {
				return err
			}
			n += c
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func unixTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
