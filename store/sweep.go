package store

import (
	"context"
	"fmt"
	"time"
)

// Swept counts what one Sweep deleted.
type Swept struct {
	Questions  int64 // question outcomes older than the retention
	Unanswered int64 // unanswered questions older than the retention
	Votes      int64 // hourly vote counts older than the retention
	VoteKeys   int64 // vote hashes past the vote window
}

// Sweep deletes, as of now, every question, unanswered question and vote
// count older than the retention, and every expired vote hash.
func (s *Store) Sweep(ctx context.Context, now time.Time) (Swept, error) {
	var sw Swept
	if s == nil {
		return sw, nil
	}
	cut := hour(now.Add(-s.retention))
	for _, d := range []struct {
		n     *int64
		query string
		arg   int64
	}{
		{&sw.Questions, `DELETE FROM questions WHERE at_hour < ?`, cut},
		{&sw.Unanswered, `DELETE FROM unanswered WHERE at_hour < ?`, cut},
		{&sw.Votes, `DELETE FROM votes WHERE at_hour < ?`, cut},
		{&sw.VoteKeys, `DELETE FROM vote_keys WHERE expires <= ?`, now.Unix()},
	} {
		r, err := s.db.ExecContext(ctx, s.q(d.query), d.arg)
		if err != nil {
			return sw, fmt.Errorf("store: sweep: %w", err)
		}
		if *d.n, err = r.RowsAffected(); err != nil {
			return sw, fmt.Errorf("store: sweep: %w", err)
		}
	}
	return sw, nil
}

// RunSweeper sweeps at once and then every interval until ctx ends, logging
// what it deleted at debug level and failures as warnings. Start it once per
// process: `go st.RunSweeper(ctx, time.Hour)`; every <= 0 means hourly. A
// nil Store returns at once.
func (s *Store) RunSweeper(ctx context.Context, every time.Duration) {
	if s == nil {
		return
	}
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		sw, err := s.Sweep(ctx, time.Now())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			s.log.Warn("store sweep failed", "err", err)
		default:
			s.log.Debug("store swept", "questions", sw.Questions, "unanswered", sw.Unanswered, "votes", sw.Votes, "vote_keys", sw.VoteKeys)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
