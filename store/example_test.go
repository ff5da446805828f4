package store_test

import (
	"context"
	"fmt"
	"time"

	"github.com/avnbot/avnbot/store"
)

func Example() {
	ctx := context.Background()
	st, err := store.Open(ctx, "", store.Options{}) // in memory; "sqlite:avnbot.db" or postgres://… to keep it
	if err != nil {
		panic(err)
	}
	defer st.Close()
	month := time.Now().AddDate(0, -1, 0)

	// Every question's outcome, and the text of those the bot could not
	// answer (when the operator has turned RECORD_UNANSWERED on).
	st.RecordQuestion(ctx, store.Event{Guild: "g", Kind: store.Answered, EntryID: "session-length", Latency: 4 * time.Millisecond})
	for _, q := range []string{
		"Is shockwave covered by my insurance? Mail me at jo@example.com",
		"is shockwave covered by insurance",
		"what does it cost with 2 sessions",
	} {
		st.RecordQuestion(ctx, store.Event{Guild: "g", Kind: store.NoMatch, Latency: 6 * time.Millisecond})
		st.RecordUnanswered(ctx, store.Question{Guild: "g", Kind: store.NoMatch, Text: q})
	}
	// A 👍, then the same person's second click on the same answer.
	for range 2 {
		r, _ := st.Vote(ctx, store.Vote{Guild: "g", Entry: "session-length", Answer: "1300000000000000042", Voter: "user-id", Up: true})
		fmt.Println("vote:", r)
	}

	groups, _ := st.Unanswered(ctx, "g", month, 10)
	for _, g := range groups {
		fmt.Printf("%d× %q\n", g.Count, g.Example)
	}
	stats, _ := st.Stats(ctx, "g", month)
	fmt.Printf("%d asked, %d answered, %d not matched, votes %+v\n", stats.Questions, stats.Answered, stats.NoMatch, stats.Votes)
	// Output:
	// vote: counted
	// vote: repeated
	// 2× "is shockwave covered by insurance"
	// 1× "what does it cost with [number] sessions"
	// 4 asked, 1 answered, 3 not matched, votes [{Entry:session-length Up:1 Down:0}]
}
