package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// filterFlags are the retrieval filters shared by ask, chat, search and
// articles.
type filterFlags struct {
	since, until, source string
}

func (ff *filterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&ff.since, "since", "", "only articles published at or after `WHEN`: a date (YYYY-MM-DD) or a duration back from now (24h, 7d)")
	fs.StringVar(&ff.until, "until", "", "only articles published before `WHEN`: a date (YYYY-MM-DD) or a duration back from now (24h, 7d)")
	fs.StringVar(&ff.source, "source", "", "only articles from these `OUTLETS` (comma-separated names)")
}

// filter reads the flags into a filter. A range that holds no moment
// (--since at or after --until) is an error of its own.
func (ff *filterFlags) filter(now time.Time) (knowledge.Filter, error) {
	f := knowledge.Filter{GuildID: "*"}
	var err error
	if ff.since != "" {
		if f.Since, err = parseWhen("--since", ff.since, now); err != nil {
			return f, err
		}
	}
	if ff.until != "" {
		if f.Until, err = parseWhen("--until", ff.until, now); err != nil {
			return f, err
		}
	}
	if err := checkRange(f.Since, f.Until); err != nil {
		return f, err
	}
	for _, s := range strings.Split(ff.source, ",") {
		if s = strings.TrimSpace(s); s != "" {
			f.Sources = append(f.Sources, s)
		}
	}
	return f, nil
}

// checkRange refuses a reversed or empty --since/--until range.
func checkRange(since, until time.Time) error {
	if since.IsZero() || until.IsZero() || since.Before(until) {
		return nil
	}
	return knowledge.Errorf(knowledge.EINVALID, "--since (%s) is not before --until (%s): no article can be published in that range. Swap the two?",
		since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339))
}

// parseWhen reads a date or a duration back from now ("24h", "7d").
func parseWhen(flagName, s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := parseDurationValue(s); err == nil {
		if d < 0 {
			return time.Time{}, knowledge.Errorf(knowledge.EINVALID, "%s %q is negative: give a duration back from now such as 24h or 7d, or a date (YYYY-MM-DD).", flagName, s)
		}
		return now.Add(-d), nil
	}
	t, err := knowledge.ParseDate(s)
	if err != nil {
		return time.Time{}, knowledge.Errorf(knowledge.EINVALID, "%s %q is neither a date (YYYY-MM-DD or RFC 3339) nor a duration back from now (24h, 7d).", flagName, s)
	}
	return t, nil
}

// checkSources refuses --source outlets that no stored article is from,
// listing the outlets there are.
func checkSources(ctx context.Context, db *knowledge.DB, f knowledge.Filter) error {
	if len(f.Sources) == 0 {
		return nil
	}
	c, err := db.Counts(ctx, f.GuildID)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, s := range c.Sources {
		known[strings.ToLower(s)] = true
	}
	var unknown []string
	for _, s := range f.Sources {
		if !known[strings.ToLower(s)] {
			unknown = append(unknown, fmt.Sprintf("%q", s))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	msg := fmt.Sprintf("No stored article is from %s.", strings.Join(unknown, " or "))
	if len(c.Sources) == 0 {
		return knowledge.Errorf(knowledge.EINVALID, "%s No stored article names its outlet.", msg)
	}
	list := c.Sources
	more := ""
	if len(list) > 20 {
		more = fmt.Sprintf(" and %d more ('herald articles' lists them)", len(list)-20)
		list = list[:20]
	}
	return knowledge.Errorf(knowledge.EINVALID, "%s The outlets are: %s%s.", msg, strings.Join(list, ", "), more)
}

// checkCount refuses a count flag below 1.
func checkCount(flagName string, n int, what string) error {
	if n < 1 {
		return knowledge.Errorf(knowledge.EINVALID, "%s %d is not a number of %s: give 1 or more.", flagName, n, what)
	}
	return nil
}

// plural is "1 story", "2 stories".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
