package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// t0 is a fixed hour the tests count from.
var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func TestStats(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s := open(t, b.fresh(t), Options{})
		ctx := context.Background()
		events := []Event{
			{Guild: "g1", Kind: Answered, EntryID: "session-length", Latency: 10 * time.Millisecond, At: t0},
			{Guild: "g1", Kind: Answered, EntryID: "session-length", Latency: 20 * time.Millisecond, At: t0.Add(time.Minute)},
			{Guild: "g1", Kind: NoMatch, EntryID: "ignored-unless-answered", Latency: 30 * time.Millisecond, At: t0.Add(time.Hour)},
			{Guild: "g1", Kind: NoMatch, Urgent: true, Latency: 40 * time.Millisecond, At: t0.Add(2 * time.Hour)},
			{Guild: "g1", Kind: NoMatch, Urgent: true, Crisis: true, Latency: 50 * time.Millisecond, At: t0.Add(3 * time.Hour)},
			{Guild: "g1", Kind: OffTopic, Latency: 1000 * time.Millisecond, At: t0.Add(4 * time.Hour)},
			{Guild: "g2", Kind: Answered, EntryID: "what-is-avn", Latency: 5 * time.Millisecond, At: t0},
			{Guild: "", Kind: OffTopic, Latency: 7 * time.Millisecond, At: t0},
			// before the window
			{Guild: "g1", Kind: Answered, EntryID: "old", Latency: time.Hour, At: t0.Add(-time.Minute)},
		}
		for _, e := range events {
			if err := s.RecordQuestion(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Vote(ctx, Vote{Guild: "g1", Entry: "session-length", Answer: "m1", Voter: "u1", Up: true, At: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Vote(ctx, Vote{Guild: "g1", Entry: "session-length", Answer: "m2", Voter: "u1", Up: false, At: t0}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Vote(ctx, Vote{Guild: "g2", Entry: "what-is-avn", Answer: "m3", Voter: "u2", Up: true, At: t0}); err != nil {
			t.Fatal(err)
		}
		ms := time.Millisecond
		for _, c := range []struct {
			guild string
			since time.Time
			want  Stats
		}{
			{"g1", t0.Add(30 * time.Minute), Stats{ // the window starts at the hour that holds since
				Questions: 6, Answered: 2, NoMatch: 3, OffTopic: 1, Urgent: 2, Crisis: 1,
				P50: 30 * ms, P99: 1000 * ms,
				Votes: []EntryVotes{{"session-length", 1, 1}},
			}},
			{"g1", t0.Add(2 * time.Hour), Stats{
				Questions: 3, NoMatch: 2, OffTopic: 1, Urgent: 2, Crisis: 1, P50: 50 * ms, P99: 1000 * ms,
			}},
			{"", t0, Stats{
				Questions: 8, Answered: 3, NoMatch: 3, OffTopic: 2, Urgent: 2, Crisis: 1, P50: 20 * ms, P99: 1000 * ms,
				Votes: []EntryVotes{{"session-length", 1, 1}, {"what-is-avn", 1, 0}},
			}},
			{"g3", t0, Stats{}},
		} {
			got, err := s.Stats(ctx, c.guild, c.since)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Stats(%q, %v):\n got %+v\nwant %+v", c.guild, c.since, got, c.want)
			}
		}
		if err := s.RecordQuestion(ctx, Event{Kind: "answred"}); err == nil {
			t.Error("RecordQuestion with kind answred: no error")
		}
	})
}

func TestVote(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		dbURL := b.fresh(t)
		s := open(t, dbURL, Options{Secret: []byte("replica secret")})
		ctx := context.Background()
		v := Vote{Guild: "g", Entry: "e", Answer: "m1", Voter: "u1", Up: true, At: t0}
		at := func(v Vote, d time.Duration) Vote { v.At = t0.Add(d); return v }
		down := v
		down.Up = false
		other := v
		other.Voter = "u2"
		otherAnswer := v
		otherAnswer.Answer = "m2"
		steps := []struct {
			v        Vote
			want     VoteResult
			up, down int64
		}{
			{v, Counted, 1, 0},
			{at(v, time.Hour), Repeated, 1, 0},
			{at(down, 2*time.Hour), Changed, 0, 1},
			{at(down, 3*time.Hour), Repeated, 0, 1},
			{at(v, 4*time.Hour), Changed, 1, 0},
			{other, Counted, 2, 0},
			{otherAnswer, Counted, 3, 0},
			// the window (24 h from the first vote) has passed: a new vote
			{at(v, 24*time.Hour), Counted, 4, 0},
		}
		for i, st := range steps {
			got, err := s.Vote(ctx, st.v)
			if err != nil {
				t.Fatal(err)
			}
			if got != st.want {
				t.Errorf("step %d: Vote = %v, want %v", i, got, st.want)
			}
			stats, err := s.Stats(ctx, "g", t0)
			if err != nil {
				t.Fatal(err)
			}
			if want := []EntryVotes{{"e", st.up, st.down}}; !reflect.DeepEqual(stats.Votes, want) {
				t.Errorf("step %d: votes %+v, want %+v", i, stats.Votes, want)
			}
		}

		// Another replica with the same secret knows the voter's vote ...
		replica := open(t, dbURL, Options{Secret: []byte("replica secret")})
		if got, err := replica.Vote(ctx, at(v, 24*time.Hour)); err != nil || got != Repeated {
			t.Errorf("replica with the same secret: Vote = %v, %v; want repeated", got, err)
		}
		// ... a store with another secret cannot tell it is the same voter:
		// the hash is keyed.
		stranger := open(t, dbURL, Options{Secret: []byte("another secret")})
		if got, err := stranger.Vote(ctx, at(v, 24*time.Hour)); err != nil || got != Counted {
			t.Errorf("store with another secret: Vote = %v, %v; want counted", got, err)
		}

		for _, bad := range []Vote{{Entry: "e", Answer: "m"}, {Entry: "e", Voter: "u"}, {Answer: "m", Voter: "u"}} {
			if _, err := s.Vote(ctx, bad); err == nil {
				t.Errorf("Vote(%+v): no error", bad)
			}
		}
	})
}

// TestNothingIdentifying records everything a patient could leave behind and
// then reads every column of every table: the user id and what Redact removes
// appear nowhere, and times are whole hours.
func TestNothingIdentifying(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s := open(t, b.fresh(t), Options{})
		ctx := context.Background()
		const user = "734829105527390218"
		at := t0.Add(17*time.Minute + 23*time.Second)
		if err := s.RecordQuestion(ctx, Event{Guild: "g", Kind: Answered, EntryID: "e", Urgent: true, Crisis: true, At: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Vote(ctx, Vote{Guild: "g", Entry: "e", Answer: "1234567890123456789", Voter: user, Up: true, At: at}); err != nil {
			t.Fatal(err)
		}
		text := "<@" + user + "> hi, I'm at jane.doe@example.com or +44 7700 900123, see https://example.com/me?id=" + user
		if _, err := s.RecordUnanswered(ctx, Question{Guild: "g", Kind: NoMatch, Text: text, At: at}); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"questions", "unanswered", "votes", "vote_keys"} {
			rows, err := s.db.Query("SELECT * FROM " + table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			n := 0
			for rows.Next() {
				n++
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for i, v := range vals {
					cell := fmt.Sprint(v)
					if b, ok := v.([]byte); ok {
						cell = string(b)
					}
					for _, secret := range []string{user, "jane", "example", "7700", "900123", "1234567890123456789"} {
						if strings.Contains(cell, secret) {
							t.Errorf("%s.%s = %q holds %q", table, cols[i], cell, secret)
						}
					}
					if cols[i] == "at_hour" && fmt.Sprint(v) != fmt.Sprint(t0.Unix()) {
						t.Errorf("%s.at_hour = %v, want the whole hour %d", table, v, t0.Unix())
					}
					if cols[i] == "expires" && fmt.Sprint(v) != fmt.Sprint(t0.Add(25*time.Hour).Unix()) {
						t.Errorf("%s.expires = %v, want the whole hour %d", table, v, t0.Add(25*time.Hour).Unix())
					}
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if n != 1 {
				t.Errorf("%s: %d rows, want 1", table, n)
			}
		}
	})
}

func TestUnanswered(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s := open(t, b.fresh(t), Options{})
		ctx := context.Background()
		record := func(guild string, kind Kind, text string, at time.Time) int64 {
			t.Helper()
			id, err := s.RecordUnanswered(ctx, Question{Guild: guild, Kind: kind, Text: text, At: at})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		insurance := []int64{
			record("g1", NoMatch, "Is shockwave covered by my insurance?", t0),
			record("g1", NoMatch, "is shockwave covered by insurance", t0.Add(time.Hour)),
			record("g1", NoMatch, "IS SHOCKWAVE COVERED BY INSURANCE??", t0.Add(2*time.Hour)),
			record("g1", NoMatch, "is shockwave covered by insurance", t0.Add(3*time.Hour)),
		}
		recovery := []int64{
			record("g1", NoMatch, "how long does recovery take", t0),
			record("g1", NoMatch, "How long is the recovery?", t0.Add(time.Hour)),
			record("g1", OffTopic, "how long is recovery after 3 sessions", t0.Add(time.Hour)),
		}
		weather := record("g1", OffTopic, "what's the weather like", t0)
		record("g2", NoMatch, "is shockwave covered by insurance", t0)
		record("g1", NoMatch, "is shockwave covered by insurance", t0.Add(-time.Hour)) // before the window

		groups, err := s.Unanswered(ctx, "g1", t0, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := []Group{
			{Key: "cover insur shockwav", Example: "is shockwave covered by insurance", Count: 4, NoMatch: 4,
				First: t0, Last: t0.Add(3 * time.Hour), IDs: insurance},
			{Key: "long recoveri", Example: "How long is the recovery?", Count: 3, NoMatch: 2, OffTopic: 1,
				First: t0, Last: t0.Add(time.Hour), IDs: recovery},
			{Key: "like weather", Example: "what's the weather like", Count: 1, OffTopic: 1,
				First: t0, Last: t0, IDs: []int64{weather}},
		}
		if !reflect.DeepEqual(groups, want) {
			t.Errorf("Unanswered(g1):\n got %+v\nwant %+v", groups, want)
		}
		if groups, _ := s.Unanswered(ctx, "g1", t0, 1); len(groups) != 1 || groups[0].Count != 4 {
			t.Errorf("Unanswered(limit 1) = %+v, want the insurance group alone", groups)
		}
		if groups, _ := s.Unanswered(ctx, "", t0.Add(-time.Hour), 0); len(groups) != 3 || groups[0].Count != 6 {
			t.Errorf("Unanswered(every guild) = %+v, want the insurance group asked 6 times first", groups)
		}

		// A moderator dismisses the weather and marks insurance as covered.
		if n, err := s.Mark(ctx, StatusDismissed, weather); err != nil || n != 1 {
			t.Errorf("Mark(weather) = %d, %v; want 1", n, err)
		}
		if n, err := s.Mark(ctx, StatusDismissed, weather); err != nil || n != 0 {
			t.Errorf("Mark(weather) again = %d, %v; want 0", n, err)
		}
		// MarkGroup reaches every age in the guild, not other guilds.
		if n, err := s.MarkGroup(ctx, "g1", groups[0].Key, StatusCovered); err != nil || n != 5 {
			t.Errorf("MarkGroup(insurance) = %d, %v; want 5", n, err)
		}
		groups, err = s.Unanswered(ctx, "", time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, g := range groups {
			keys = append(keys, fmt.Sprintf("%s×%d", g.Key, g.Count))
		}
		if want := []string{"long recoveri×3", "cover insur shockwav×1"}; !slices.Equal(keys, want) {
			t.Errorf("after marking: %v, want %v", keys, want)
		}
		if _, err := s.Mark(ctx, "done", recovery...); err == nil {
			t.Error("Mark with status done: no error")
		}
		if _, err := s.RecordUnanswered(ctx, Question{Kind: Answered, Text: "x"}); err == nil {
			t.Error("RecordUnanswered of an answered question: no error")
		}
	})
}

func TestSweep(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		s := open(t, b.fresh(t), Options{Retention: 48 * time.Hour, VoteWindow: 24 * time.Hour})
		ctx := context.Background()
		now := t0.Add(72 * time.Hour)
		for _, age := range []time.Duration{72 * time.Hour, 49 * time.Hour, 47 * time.Hour, time.Hour} {
			at := now.Add(-age)
			if err := s.RecordQuestion(ctx, Event{Guild: "g", Kind: NoMatch, At: at}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecordUnanswered(ctx, Question{Guild: "g", Kind: NoMatch, Text: "q", At: at}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Vote(ctx, Vote{Guild: "g", Entry: "e", Answer: "m", Voter: age.String(), Up: true, At: at}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Sweep(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		// Votes: the two old ones are one hour's row each; the vote keys of
		// 72 h, 49 h and 47 h ago have expired, the last has not.
		want := Swept{Questions: 2, Unanswered: 2, Votes: 2, VoteKeys: 3}
		if got != want {
			t.Errorf("Sweep = %+v, want %+v", got, want)
		}
		if got, _ := s.Sweep(ctx, now); got != (Swept{}) {
			t.Errorf("second Sweep = %+v, want nothing", got)
		}
		st, err := s.Stats(ctx, "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if st.Questions != 2 || !reflect.DeepEqual(st.Votes, []EntryVotes{{"e", 2, 0}}) {
			t.Errorf("after Sweep: %+v, want 2 questions and 2 votes", st)
		}
	})
}

// TestRunSweeper: the sweeper sweeps at once, and stops when its context ends.
func TestRunSweeper(t *testing.T) {
	s := open(t, "", Options{Retention: time.Hour, VoteWindow: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.RecordQuestion(ctx, Event{Kind: NoMatch, At: time.Now().Add(-3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.RunSweeper(ctx, time.Hour); close(done) }()
	for {
		st, err := s.Stats(ctx, "", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if st.Questions == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("memory", func(t *testing.T) {
		for _, u := range []string{"", "sqlite::memory:"} {
			a, b := open(t, u, Options{}), open(t, u, Options{})
			if err := a.RecordQuestion(ctx, Event{Kind: OffTopic}); err != nil {
				t.Fatal(err)
			}
			if st, _ := a.Stats(ctx, "", time.Time{}); st.Questions != 1 {
				t.Errorf("%q: %d questions, want 1", u, st.Questions)
			}
			if st, _ := b.Stats(ctx, "", time.Time{}); st.Questions != 0 {
				t.Errorf("%q: a second in-memory store sees %d questions of the first", u, st.Questions)
			}
		}
	})
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "avnbot.db")
		for i, u := range []string{"sqlite:" + path, path, "file:" + path} {
			s, err := Open(ctx, u, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RecordQuestion(ctx, Event{Kind: OffTopic}); err != nil {
				t.Fatal(err)
			}
			st, err := s.Stats(ctx, "", time.Time{})
			if err != nil || st.Questions != int64(i+1) {
				t.Errorf("open %d (%s): %d questions, %v; want %d: the file keeps them", i, u, st.Questions, err, i+1)
			}
			var mode string
			if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Errorf("open %d (%s): journal mode %q, %v; want wal", i, u, mode, err)
			}
			s.Close()
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
		}
	})
	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			url  string
			opt  Options
			want string
		}{
			{"mysql://u:secret@host/db", Options{}, "postgres://"},
			{"sqlite:", Options{}, "plain file path"},
			{"sqlite:a.db?mode=ro", Options{}, "plain file path"},
			{"", Options{Retention: time.Hour, VoteWindow: 2 * time.Hour}, "vote window"},
			{"", Options{Retention: time.Minute}, "retention"},
			{"postgres://nobody@127.0.0.1:1/none?connect_timeout=5", Options{}, "connect to postgres"},
			{"sqlite:" + filepath.Join(t.TempDir(), "missing", "dir.db"), Options{}, "create"},
		} {
			s, err := Open(ctx, c.url, c.opt)
			if err == nil {
				s.Close()
				t.Errorf("Open(%q): no error", c.url)
				continue
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "secret") {
				t.Errorf("Open(%q) = %v, want an error about %q without the password", c.url, err, c.want)
			}
		}
	})
}

// TestNilStore: a bot with no store records nothing and says so when asked.
func TestNilStore(t *testing.T) {
	var s *Store
	ctx := context.Background()
	if err := s.RecordQuestion(ctx, Event{Kind: Answered}); err != nil {
		t.Error(err)
	}
	if id, err := s.RecordUnanswered(ctx, Question{Kind: NoMatch}); id != 0 || err != nil {
		t.Error(id, err)
	}
	if r, err := s.Vote(ctx, Vote{}); r != Counted || err != nil {
		t.Error(r, err)
	}
	if _, err := s.Sweep(ctx, time.Now()); err != nil {
		t.Error(err)
	}
	s.RunSweeper(ctx, time.Hour)
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if _, err := s.Stats(ctx, "", time.Time{}); !errors.Is(err, ErrNoStore) {
		t.Errorf("Stats: %v, want ErrNoStore", err)
	}
	if _, err := s.Unanswered(ctx, "", time.Time{}, 0); !errors.Is(err, ErrNoStore) {
		t.Errorf("Unanswered: %v, want ErrNoStore", err)
	}
	if _, err := s.Mark(ctx, StatusCovered, 1); !errors.Is(err, ErrNoStore) {
		t.Errorf("Mark: %v, want ErrNoStore", err)
	}
	if _, err := s.MarkGroup(ctx, "", "k", StatusCovered); !errors.Is(err, ErrNoStore) {
		t.Errorf("MarkGroup: %v, want ErrNoStore", err)
	}
}
