package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Feed limits and defaults.
const (
	// DefaultFeedInterval is how often a feed is polled when it names no
	// interval of its own.
	DefaultFeedInterval = 30 * time.Minute
	// MinFeedInterval is the shortest interval a feed may ask for, so that
	// Herald stays a polite client.
	MinFeedInterval = 5 * time.Minute
	// MaxFeedInterval is the longest interval a feed may ask for.
	MaxFeedInterval = 7 * 24 * time.Hour
	// maxGuildFeeds is how many feeds one Discord server may subscribe to;
	// the operator's own feeds have no limit.
	maxGuildFeeds = 50
	// maxFeedURL bounds the length of a feed's URL.
	maxFeedURL = 2048
)

// Feed states, as Feed.Status reports them.
const (
	FeedActive   = "active"
	FeedPaused   = "paused"
	FeedDisabled = "disabled"
)

// Feed is one subscription to an RSS, Atom or JSON feed. GuildID is the
// Discord server that added it, or empty for the operator's feeds; the
// articles it brings in belong to the same scope.
type Feed struct {
	ID      int64  `json:"id"`
	URL     string `json:"url"`
	GuildID string `json:"guild_id,omitempty"`
	// Title is the feed's own title, from its last successful poll.
	Title string `json:"title,omitempty"`
	// Name is the outlet name given when the feed was added; it wins over
	// Title as the source of the feed's articles.
	Name string `json:"name,omitempty"`
	// Interval is the time between polls; zero means the poller's default.
	Interval     time.Duration `json:"interval,omitempty"`
	Paused       bool          `json:"paused"`
	ETag         string        `json:"-"`
	LastModified string        `json:"-"`
	LastPolledAt time.Time     `json:"last_polled_at,omitzero"`
	// LastSuccessAt is zero until the feed has been read once; the first
	// poll takes only recent items.
	LastSuccessAt time.Time `json:"last_success_at,omitzero"`
	NextPollAt    time.Time `json:"next_poll_at,omitzero"`
	// Failures counts failed polls in a row.
	Failures int `json:"failures"`
	// LastError is the readable reason of the last failed poll.
	LastError string `json:"last_error,omitempty"`
	// Warning says what the last successful poll had to work around
	// (items without dates, repeated GUIDs, items without text).
	Warning string `json:"warning,omitempty"`
	// DisabledReason is set when repeated failures stopped the polls; the
	// feed is polled again only after ResumeFeed.
	DisabledReason string    `json:"disabled_reason,omitempty"`
	Items          int       `json:"items"`
	CreatedBy      string    `json:"created_by,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// Status returns FeedDisabled, FeedPaused or FeedActive.
func (f *Feed) Status() string {
	switch {
	case f.DisabledReason != "":
		return FeedDisabled
	case f.Paused:
		return FeedPaused
	}
	return FeedActive
}

// Outlet returns the name the feed's articles carry as their source: the
// name given when it was added, else the feed's title, else its host.
func (f *Feed) Outlet() string {
	if f.Name != "" {
		return f.Name
	}
	if f.Title != "" {
		return f.Title
	}
	if u, err := url.Parse(f.URL); err == nil {
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
	return f.URL
}

// FeedSpec is what AddFeed needs to subscribe to a feed.
type FeedSpec struct {
	URL       string
	GuildID   string // "" for the operator
	Name      string // optional outlet name
	Interval  time.Duration
	CreatedBy string // e.g. a Discord user id, for the record
	// Keep follows the feed even when DB.FeedCheck finds it unreadable now
	// (the site is down, or will serve the feed later).
	Keep bool
}

// ErrFeedUnreadable is in the chain of AddFeed's error when DB.FeedCheck
// refused the feed, so that a caller can say how to follow it anyway.
var ErrFeedUnreadable = errors.New("the feed cannot be read")

// checkFeedURL returns rawURL trimmed when it is an absolute http or https
// address without credentials, and an EINVALID error saying what is wrong
// otherwise. Whether the address may be reached is decided when it is
// fetched, by the safe client.
func checkFeedURL(rawURL string) (string, error) {
	s := strings.TrimSpace(rawURL)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">") // Discord's link-suppressing brackets
	if s == "" {
		return "", Errorf(EINVALID, "Please give the feed's address.")
	}
	if len(s) > maxFeedURL {
		return "", Errorf(EINVALID, "That address is too long to be a feed.")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return "", Errorf(EINVALID, "%q is not a valid web address.", truncateRunes(s, 100))
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return "", Errorf(EINVALID, "Feeds must be http or https addresses.")
	}
	if u.User != nil {
		return "", Errorf(EINVALID, "Herald does not fetch addresses with a user name or password in them.")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// clampInterval keeps a feed's interval within MinFeedInterval and
// MaxFeedInterval; zero stays zero (the default).
func clampInterval(d time.Duration) time.Duration {
	switch {
	case d <= 0:
		return 0
	case d < MinFeedInterval:
		return MinFeedInterval
	case d > MaxFeedInterval:
		return MaxFeedInterval
	}
	return d
}

// AddFeed subscribes to a feed in spec.GuildID's scope. The feed is due at
// once. When DB.FeedCheck is set, the feed is fetched first and refused,
// with the reason, when it cannot be read (unless spec.Keep); nothing is
// stored then, so adding it again once the cause is fixed works. Adding a
// URL the scope already follows is an ECONFLICT, unless that feed is
// failing or was disabled: then it is resumed and returned. A server may
// have at most maxGuildFeeds feeds.
func (db *DB) AddFeed(ctx context.Context, spec FeedSpec) (*Feed, error) {
	u, err := checkFeedURL(spec.URL)
	if err != nil {
		return nil, err
	}
	if spec.GuildID == "*" {
		return nil, Errorf(EINVALID, "A feed belongs to one server or to the operator.")
	}
	name := strings.Join(strings.Fields(spec.Name), " ")
	if len([]rune(name)) > 100 {
		return nil, Errorf(EINVALID, "The feed's name is too long (at most 100 characters).")
	}
	existing, err := scanFeed(db.db.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE guild_id = ? AND url = ?`, spec.GuildID, u))
	switch {
	case isNoRows(err):
		existing = nil
	case err != nil:
		return nil, fmt.Errorf("add feed %s: find it: %w", u, err)
	case existing.Failures == 0 && existing.DisabledReason == "":
		return nil, Errorf(ECONFLICT, "Herald already follows %s here.", u)
	}
	// The check fetches the feed: no transaction is open meanwhile.
	if db.FeedCheck != nil && !spec.Keep {
		if cerr := db.FeedCheck(ctx, u); cerr != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			reason := ErrorMessage(cerr)
			msg := fmt.Sprintf("Herald cannot follow %s: %s.", u, strings.TrimSuffix(reason, "."))
			if r, _ := utf8.DecodeRuneInString(reason); unicode.IsUpper(r) {
				msg = fmt.Sprintf("Herald cannot follow %s. %s", u, reason) // already a sentence
			}
			return nil, WrapError(ErrorCode(cerr), msg, errors.Join(ErrFeedUnreadable, cerr))
		}
	}
	if existing != nil {
		// It failed before and reads now (or the caller keeps it anyway):
		// poll it again at once.
		return db.ResumeFeed(ctx, spec.GuildID, strconv.FormatInt(existing.ID, 10))
	}
	now := db.Now()
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("add feed %s: begin: %w", u, err)
	}
	defer db.endWrite(tx)
	if spec.GuildID != "" {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM feeds WHERE guild_id = ?`, spec.GuildID).Scan(&n); err != nil {
			return nil, fmt.Errorf("add feed %s: count the feeds of guild %q: %w", u, spec.GuildID, err)
		}
		if n >= maxGuildFeeds {
			return nil, Errorf(EINVALID, "This server already follows %d feeds, the most it may. Remove one first.", n)
		}
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO feeds(url, guild_id, name, interval_s, next_poll_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(guild_id, url) DO NOTHING RETURNING id`,
		u, spec.GuildID, name, int64(clampInterval(spec.Interval)/time.Second), now.Unix(), spec.CreatedBy, now.Unix()).Scan(&id)
	if isNoRows(err) {
		return nil, Errorf(ECONFLICT, "Herald already follows %s here.", u)
	}
	if err != nil {
		return nil, fmt.Errorf("add feed %s: insert: %w", u, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("add feed %s: commit: %w", u, err)
	}
	return db.Feed(ctx, id)
}

const feedColumns = `id, url, guild_id, title, name, interval_s, paused, etag, last_modified, last_polled_at, last_success_at,
	next_poll_at, failures, last_error, warning, disabled_reason, items, created_by, created_at`

func scanFeed(r rowScanner) (*Feed, error) {
	var f Feed
	var interval, next, created int64
	var polled, success sql.NullInt64
	err := r.Scan(&f.ID, &f.URL, &f.GuildID, &f.Title, &f.Name, &interval, &f.Paused, &f.ETag, &f.LastModified, &polled, &success,
		&next, &f.Failures, &f.LastError, &f.Warning, &f.DisabledReason, &f.Items, &f.CreatedBy, &created)
	if err != nil {
		return nil, err
	}
	f.Interval = time.Duration(interval) * time.Second
	f.LastPolledAt = timeFromNull(polled)
	f.LastSuccessAt = timeFromNull(success)
	f.NextPollAt = time.Unix(next, 0).UTC()
	f.CreatedAt = time.Unix(created, 0).UTC()
	return &f, nil
}

// Feed returns the feed with the given id, whatever its scope.
func (db *DB) Feed(ctx context.Context, id int64) (*Feed, error) {
	f, err := scanFeed(db.db.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = ?`, id))
	if isNoRows(err) {
		return nil, Errorf(ENOTFOUND, "There is no feed %d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read feed %d: %w", id, err)
	}
	return f, nil
}

// findFeed returns the feed that ref names, by id or by URL, among the
// feeds of guildID: "" is the operator's feeds, a server id that server's
// own (never the operator's, which a server cannot manage), "*" every
// feed.
func (db *DB) findFeed(ctx context.Context, guildID, ref string) (*Feed, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, Errorf(EINVALID, "Please name the feed by its address or number.")
	}
	scope, args := feedScope(guildID)
	if id, err := strconv.ParseInt(strings.TrimPrefix(ref, "#"), 10, 64); err == nil {
		f, err := scanFeed(db.db.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = ? AND `+scope, append([]any{id}, args...)...))
		if isNoRows(err) {
			return nil, Errorf(ENOTFOUND, "There is no feed %d here.", id)
		}
		if err != nil {
			return nil, fmt.Errorf("find feed %d of guild %q: %w", id, guildID, err)
		}
		return f, nil
	}
	u, err := checkFeedURL(ref)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE url = ? AND `+scope+` ORDER BY guild_id = '' DESC, id`, append([]any{u}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("find feed %s of guild %q: %w", u, guildID, err)
	}
	defer rows.Close()
	var found []*Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("find feed %s of guild %q: %w", u, guildID, err)
		}
		found = append(found, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find feed %s of guild %q: %w", u, guildID, err)
	}
	switch len(found) {
	case 0:
		return nil, Errorf(ENOTFOUND, "Herald does not follow %s here.", u)
	case 1:
		return found[0], nil
	}
	return nil, Errorf(EINVALID, "Several servers follow %s; name the feed by its number instead.", u)
}

// feedScope is the condition on feeds for a management scope (see findFeed).
func feedScope(guildID string) (string, []any) {
	if guildID == "*" {
		return "TRUE", nil
	}
	return "guild_id = ?", []any{guildID}
}

// Feeds lists the feeds of a management scope (see findFeed), oldest first.
func (db *DB) Feeds(ctx context.Context, guildID string) ([]Feed, error) {
	scope, args := feedScope(guildID)
	feeds, err := db.queryFeeds(ctx, `SELECT `+feedColumns+` FROM feeds WHERE `+scope+` ORDER BY guild_id, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list feeds of guild %q: %w", guildID, err)
	}
	return feeds, nil
}

func (db *DB) queryFeeds(ctx context.Context, q string, args ...any) ([]Feed, error) {
	return queryAll(ctx, db.db, deref(scanFeed), q, args...)
}

// RemoveFeed unsubscribes from the feed ref names in guildID's scope and
// returns it. The articles it brought in stay.
func (db *DB) RemoveFeed(ctx context.Context, guildID, ref string) (*Feed, error) {
	f, err := db.findFeed(ctx, guildID, ref)
	if err != nil {
		return nil, err
	}
	if _, err := db.db.ExecContext(ctx, `DELETE FROM feeds WHERE id = ?`, f.ID); err != nil {
		return nil, fmt.Errorf("remove feed %d: %w", f.ID, err)
	}
	return f, nil
}

// PauseFeed stops polling the feed ref names until ResumeFeed.
func (db *DB) PauseFeed(ctx context.Context, guildID, ref string) (*Feed, error) {
	f, err := db.findFeed(ctx, guildID, ref)
	if err != nil {
		return nil, err
	}
	if _, err := db.db.ExecContext(ctx, `UPDATE feeds SET paused = 1 WHERE id = ?`, f.ID); err != nil {
		return nil, fmt.Errorf("pause feed %d: %w", f.ID, err)
	}
	return db.Feed(ctx, f.ID)
}

// ResumeFeed polls a paused or disabled feed again: it clears the pause,
// the failure count, the last error and the disabled state, and makes the
// feed due at once.
func (db *DB) ResumeFeed(ctx context.Context, guildID, ref string) (*Feed, error) {
	f, err := db.findFeed(ctx, guildID, ref)
	if err != nil {
		return nil, err
	}
	if _, err := db.db.ExecContext(ctx, `UPDATE feeds SET paused = 0, failures = 0, last_error = '', disabled_reason = '', next_poll_at = ? WHERE id = ?`,
		db.Now().Unix(), f.ID); err != nil {
		return nil, fmt.Errorf("resume feed %d: %w", f.ID, err)
	}
	return db.Feed(ctx, f.ID)
}

// dueFeeds returns the active feeds whose next poll is at or before now,
// most overdue first.
func (db *DB) dueFeeds(ctx context.Context, now time.Time) ([]Feed, error) {
	feeds, err := db.queryFeeds(ctx, `SELECT `+feedColumns+` FROM feeds WHERE paused = 0 AND disabled_reason = '' AND next_poll_at <= ? ORDER BY next_poll_at, id`, now.Unix())
	if err != nil {
		return nil, fmt.Errorf("list due feeds: %w", err)
	}
	return feeds, nil
}

// ClaimDueFeeds claims up to limit due feeds (all when limit <= 0), most
// overdue first, in one statement: their next poll moves to now+lease, so
// that another poller on the same database leaves them alone while they
// are polled. The returned feeds' NextPollAt is the lease's end; the poller
// extends the lease with RenewFeedLease while it works, and RecordFeedPoll
// sets the real next poll. A poll that dies holds its feeds only until the
// lease ends. (On PostgreSQL the same statement claims with FOR UPDATE
// SKIP LOCKED in its subquery.)
func (db *DB) ClaimDueFeeds(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Feed, error) {
	tx, err := db.beginLocked(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("claim due feeds: begin: %w", err)
	}
	defer db.endLocked(tx)
	sub := `SELECT id FROM feeds WHERE paused = 0 AND disabled_reason = '' AND next_poll_at <= ? ORDER BY next_poll_at, id`
	args := []any{now.Add(lease).Unix(), now.Unix()}
	if limit > 0 {
		sub += ` LIMIT ?`
		args = append(args, limit)
	}
	sub += tx.Dialect().SkipLocked()
	out, err := queryAll(ctx, tx, deref(scanFeed), `UPDATE feeds SET next_poll_at = ? WHERE id IN (`+sub+`) RETURNING `+feedColumns, args...)
	if err != nil {
		return nil, fmt.Errorf("claim due feeds: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("claim due feeds: commit: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// RenewFeedLease moves the lease on a feed from held (the end of the lease
// as claimed or last renewed) to until, and reports whether it did: it
// does nothing once the poll was recorded or another poller took the feed
// after the lease ended. until at or before now releases the feed, due at
// once for the next poller.
func (db *DB) RenewFeedLease(ctx context.Context, feedID int64, held, until time.Time) (bool, error) {
	res, err := db.db.ExecContext(ctx, `UPDATE feeds SET next_poll_at = ? WHERE id = ? AND next_poll_at = ?`, until.Unix(), feedID, held.Unix())
	if err != nil {
		return false, fmt.Errorf("renew the lease on feed %d: %w", feedID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("renew the lease on feed %d: %w", feedID, err)
	}
	return n == 1, nil
}

// NextFeedPoll returns when the next active feed is due, or the zero time
// when no feed is active.
func (db *DB) NextFeedPoll(ctx context.Context) (time.Time, error) {
	var next sql.NullInt64
	err := db.db.QueryRowContext(ctx, `SELECT min(next_poll_at) FROM feeds WHERE paused = 0 AND disabled_reason = ''`).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("find the next feed poll: %w", err)
	}
	return timeFromNull(next), nil
}

// SeenFeedItems returns which of keys (item GUIDs or links) were already
// taken from the feed.
func (db *DB) SeenFeedItems(ctx context.Context, feedID int64, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool, len(keys))
	const chunk = 200
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := make([]any, 0, len(part)+1)
		args = append(args, feedID)
		for _, k := range part {
			args = append(args, k)
		}
		q := `SELECT key FROM feed_items WHERE feed_id = ? AND key IN (?` + strings.Repeat(",?", len(part)-1) + `)`
		rows, err := db.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("read seen items of feed %d: %w", feedID, err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read seen items of feed %d: %w", feedID, err)
			}
			seen[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read seen items of feed %d: %w", feedID, err)
		}
	}
	return seen, nil
}

// SeenItem is one feed item taken, with the article it became (zero when
// it could not be stored and should not be tried again).
type SeenItem struct {
	Key       string
	ArticleID int64
}

// FeedPoll is the outcome of one poll of a feed, for RecordFeedPoll.
type FeedPoll struct {
	At time.Time
	// Err is nil for a successful poll (NotModified included); otherwise
	// its message (see ErrorMessage) is stored as the reason.
	Err         error
	NotModified bool
	// ETag, LastModified and Title replace the stored values when set.
	ETag, LastModified, Title string
	// Warning replaces the stored warning on success.
	Warning string
	// Seen are the items to remember as taken.
	Seen []SeenItem
	// Added counts the new articles.
	Added int
	// NextPollAt is when the feed is due again.
	NextPollAt time.Time
	// DisableAfter is how many failures in a row disable the feed; zero
	// never disables it.
	DisableAfter int
}

// RecordFeedPoll stores the outcome of a poll: on success the validators,
// title, warning and seen items, and a reset failure count; on failure the
// reason and one more failure, disabling the feed once DisableAfter
// failures have happened in a row. It returns the feed as now stored; a
// feed removed while it was polled is an ENOTFOUND.
func (db *DB) RecordFeedPoll(ctx context.Context, feedID int64, p FeedPoll) (*Feed, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("record poll of feed %d: begin: %w", feedID, err)
	}
	defer db.endWrite(tx)
	var res sql.Result
	if p.Err == nil {
		res, err = tx.ExecContext(ctx, `UPDATE feeds SET last_polled_at = ?, last_success_at = ?, next_poll_at = ?, failures = 0, last_error = '',
			etag = CASE WHEN ? <> '' THEN ? ELSE etag END,
			last_modified = CASE WHEN ? <> '' THEN ? ELSE last_modified END,
			title = CASE WHEN ? <> '' THEN ? ELSE title END,
			warning = CASE WHEN ? THEN warning ELSE ? END,
			items = items + ?
			WHERE id = ?`,
			p.At.Unix(), p.At.Unix(), p.NextPollAt.Unix(), p.ETag, p.ETag, p.LastModified, p.LastModified, p.Title, p.Title,
			p.NotModified, p.Warning, p.Added, feedID)
	} else {
		reason := ErrorMessage(p.Err)
		res, err = tx.ExecContext(ctx, `UPDATE feeds SET last_polled_at = ?, next_poll_at = ?, failures = failures + 1, last_error = ?,
			disabled_reason = CASE WHEN ? > 0 AND failures + 1 >= ? THEN ? ELSE disabled_reason END
			WHERE id = ?`,
			p.At.Unix(), p.NextPollAt.Unix(), reason, p.DisableAfter, p.DisableAfter,
			fmt.Sprintf("stopped after %d failed polls in a row; last: %s", p.DisableAfter, reason), feedID)
	}
	if err != nil {
		return nil, fmt.Errorf("record poll of feed %d: %w", feedID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, fmt.Errorf("record poll of feed %d: %w", feedID, err)
	} else if n == 0 {
		return nil, Errorf(ENOTFOUND, "There is no feed %d.", feedID)
	}
	if len(p.Seen) > 0 {
		st, err := tx.PrepareContext(ctx, `INSERT INTO feed_items(feed_id, key, article_id, seen_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(feed_id, key) DO UPDATE SET article_id = coalesce(excluded.article_id, feed_items.article_id)`)
		if err != nil {
			return nil, fmt.Errorf("record poll of feed %d: prepare: %w", feedID, err)
		}
		defer st.Close()
		for _, s := range p.Seen {
			var aid any
			if s.ArticleID != 0 {
				aid = s.ArticleID
			}
			if _, err := st.ExecContext(ctx, feedID, s.Key, aid, p.At.Unix()); err != nil {
				return nil, fmt.Errorf("record poll of feed %d: item %q: %w", feedID, s.Key, err)
			}
		}
	}
	f, err := scanFeed(tx.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = ?`, feedID))
	if err != nil {
		return nil, fmt.Errorf("record poll of feed %d: read back: %w", feedID, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("record poll of feed %d: commit: %w", feedID, err)
	}
	return f, nil
}
