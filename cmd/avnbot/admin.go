package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/avnbot/avnbot/store"
)

// storeConfig is where and how the moderators' record is kept.
type storeConfig struct {
	URL              string // DATABASE_URL: "" in memory, a path or sqlite:PATH, postgres://…
	RecordUnanswered bool   // keep the redacted text of unanswered questions
	RetentionDays    int
	VoteSecret       string
}

// loadAdminConfig reads the store's variables and MOD_ROLE_ID into c.
func loadAdminConfig(getenv func(string) string, c *config, errs *[]error) {
	s := storeConfig{URL: strings.TrimSpace(getenv("DATABASE_URL")), RetentionDays: 30, VoteSecret: getenv("VOTE_SECRET")}
	if v := getenv("RECORD_UNANSWERED"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			*errs = append(*errs, fmt.Errorf("RECORD_UNANSWERED=%q: use true or false", v))
		}
		s.RecordUnanswered = b
	}
	if v := getenv("RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			*errs = append(*errs, fmt.Errorf("RETENTION_DAYS=%q: use a whole number of days, 1 or more", v))
		} else {
			s.RetentionDays = n
		}
	}
	c.Store = s
	c.Discord.ModRoleID = strings.TrimSpace(getenv("MOD_ROLE_ID"))
	if id := c.Discord.ModRoleID; id != "" {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			*errs = append(*errs, fmt.Errorf("MOD_ROLE_ID=%q: use the role's id (Server Settings > Roles, right-click > Copy Role ID with Developer Mode on)", id))
		}
	}
}

// open opens the store. With no DATABASE_URL it is in memory: the record
// lasts as long as the process.
func (s storeConfig) open(ctx context.Context, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, s.URL, store.Options{
		Retention: time.Duration(s.RetentionDays) * 24 * time.Hour,
		Secret:    []byte(s.VoteSecret),
		Logger:    log,
	})
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	if s.URL == "" {
		log.LogAttrs(ctx, slog.LevelInfo, "moderators' record in memory: it is lost when the process stops (set DATABASE_URL, e.g. sqlite:avnbot.db, to keep it)")
	}
	return st, nil
}

// openForCLI opens the bot's store for `avnbot unanswered` and `avnbot
// stats`, which read what a running bot recorded: an in-memory store would
// be empty, so DATABASE_URL is required.
func (s storeConfig) openForCLI(ctx context.Context) (*store.Store, error) {
	if s.URL == "" {
		return nil, errors.New("DATABASE_URL is not set: the bot then keeps its record in memory, out of reach; set DATABASE_URL to the database the bot writes to (e.g. sqlite:avnbot.db)")
	}
	return s.open(ctx, slog.New(slog.DiscardHandler))
}

// newAdminCmds are `avnbot unanswered` and `avnbot stats`: the moderators'
// views of /faq-admin, read from the database DATABASE_URL names.
func newAdminCmds(cfg *config, s streams) []*cobra.Command {
	var days, limit int
	var guild string
	unanswered := &cobra.Command{
		Use:   "unanswered [--days N] [--guild ID] [--limit N]",
		Short: "The most asked unanswered questions, grouped by similarity (reads DATABASE_URL)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if days < 1 {
				return usageError("--days %d: use 1 or more", days)
			}
			return showUnanswered(cmd.Context(), *cfg, days, guild, limit, s.out)
		},
	}
	unanswered.Flags().IntVar(&days, "days", 30, "how many days back")
	unanswered.Flags().StringVar(&guild, "guild", "", "one server's `id` (default: every server and direct messages)")
	unanswered.Flags().IntVar(&limit, "limit", 20, "at most this many groups (0: all)")

	var sdays int
	var sguild string
	stats := &cobra.Command{
		Use:   "stats [--days N] [--guild ID]",
		Short: "Questions, answered, abstained, urgent, votes per entry and answer times (reads DATABASE_URL)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if sdays < 1 {
				return usageError("--days %d: use 1 or more", sdays)
			}
			return showStats(cmd.Context(), *cfg, sdays, sguild, s.out)
		},
	}
	stats.Flags().IntVar(&sdays, "days", 7, "how many days back")
	stats.Flags().StringVar(&sguild, "guild", "", "one server's `id` (default: every server and direct messages)")
	return []*cobra.Command{unanswered, stats}
}

// showUnanswered prints the open unanswered questions of the last days.
func showUnanswered(ctx context.Context, cfg config, days int, guild string, limit int, stdout io.Writer) error {
	st, err := cfg.Store.openForCLI(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	groups, err := st.Unanswered(ctx, guild, time.Now().AddDate(0, 0, -days), limit)
	if err != nil {
		return err
	}
	printUnanswered(stdout, groups, days, cfg.Store.RecordUnanswered)
	return nil
}

func printUnanswered(w io.Writer, groups []store.Group, days int, recording bool) {
	fmt.Fprintf(w, "Open unanswered questions, last %d day%s, most asked first:\n\n", days, plural(days))
	if len(groups) == 0 {
		fmt.Fprintln(w, "none")
		if !recording {
			fmt.Fprintln(w, "(RECORD_UNANSWERED is off here; the bot keeps question text only when it is on where the bot runs)")
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tASKED\tNO MATCH\tOFF TOPIC\tLAST ASKED (UTC)\tQUESTION (REDACTED)")
	for i, g := range groups {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\n", i+1, g.Count, g.NoMatch, g.OffTopic, g.Last.UTC().Format("2006-01-02 15:04"), strings.Join(strings.Fields(g.Example), " "))
	}
	tw.Flush()
}

// showStats prints the questions and votes of the last days.
func showStats(ctx context.Context, cfg config, days int, guild string, stdout io.Writer) error {
	st, err := cfg.Store.openForCLI(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.Stats(ctx, guild, time.Now().AddDate(0, 0, -days))
	if err != nil {
		return err
	}
	printStats(stdout, s, days, guild)
	return nil
}

func printStats(w io.Writer, s store.Stats, days int, guild string) {
	where := "every server and direct messages"
	if guild != "" {
		where = "server " + guild
	}
	fmt.Fprintf(w, "Last %d day%s, %s:\n\n", days, plural(days), where)
	share := func(n int64) string {
		if s.Questions == 0 {
			return strconv.FormatInt(n, 10)
		}
		return fmt.Sprintf("%d (%.0f%%)", n, 100*float64(n)/float64(s.Questions))
	}
	ms := func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return d.Round(100 * time.Microsecond).String()
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "questions\t%d\n", s.Questions)
	fmt.Fprintf(tw, "answered\t%s\n", share(s.Answered))
	fmt.Fprintf(tw, "abstained\t%s: no match %d, off topic %d\n", share(s.NoMatch+s.OffTopic), s.NoMatch, s.OffTopic)
	fmt.Fprintf(tw, "urgent\t%s, of which crisis %d\n", share(s.Urgent), s.Crisis)
	fmt.Fprintf(tw, "answer time\tp50 %s, p99 %s\n", ms(s.P50), ms(s.P99))
	tw.Flush()
	fmt.Fprintln(w)
	if len(s.Votes) == 0 {
		fmt.Fprintln(w, "no votes")
		return
	}
	votes := slices.Clone(s.Votes)
	slices.SortStableFunc(votes, func(x, y store.EntryVotes) int {
		return cmp.Or(cmp.Compare(y.Up+y.Down, x.Up+x.Down), strings.Compare(x.Entry, y.Entry))
	})
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTRY\tUP\tDOWN")
	for _, v := range votes {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", v.Entry, v.Up, v.Down)
	}
	tw.Flush()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
