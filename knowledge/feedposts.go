package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge/summarize"
	"github.com/herald-bot/herald/knowledge/text"
)

// Feed post states, as feed_posts records them.
const (
	// FeedPostClaimed: claimed by a process, being posted, under a lease
	// (DefaultFeedPostLease); once the lease ends (the process died),
	// another process takes the claim over.
	FeedPostClaimed = "claimed"
	// FeedPostPosted: posted and confirmed.
	FeedPostPosted = "posted"
	// FeedPostRetry: Discord said nothing was posted; the article may be
	// claimed again, a few times.
	FeedPostRetry = "retry"
	// FeedPostFailed: posting failed for good.
	FeedPostFailed = "failed"
)

// DefaultFeedPostLease is how long a feed post claim holds: a process
// that dies while posting delays the post by at most this.
const DefaultFeedPostLease = 2 * time.Minute

// Feed alert states, as feed_alerts records them.
const (
	// FeedAlertPosted: the server's admins were told.
	FeedAlertPosted = "posted"
	// FeedAlertNowhere: the server has no channel to tell its admins in.
	FeedAlertNowhere = "nowhere"
	// FeedAlertFailed: Discord refused the alert; it is not tried again.
	FeedAlertFailed = "failed"
)

// FeedChannel is the Discord channel a feed's new articles are posted to.
type FeedChannel struct {
	FeedID    int64
	GuildID   string
	ChannelID string
	// BoundAt is when the feed got this channel.
	BoundAt time.Time
	// Since is the moment from which the feed's items are posted; zero
	// while a new feed waits for its first poll, whose items (the
	// backlog) are never posted.
	Since     time.Time
	CreatedBy string
}

// FeedPost is one article of a channel-bound feed waiting to be posted,
// and, once claimed, the claim.
type FeedPost struct {
	// ID is the claim's id, set by ClaimFeedPost.
	ID int64
	// PostKey, set by ClaimFeedPost, is the same for every attempt at
	// posting the article in the channel: a poster that passes it to
	// Discord as the message's nonce (with enforce_nonce) gets no second
	// copy when a process that died after sending is taken over.
	PostKey   string
	FeedID    int64
	GuildID   string
	ChannelID string
	// Article is the article to post, without its text.
	Article Article
	// Outlet names the article's outlet: its source, else the feed's name.
	Outlet string
	// Lead is the article's first sentence that says something, or "".
	Lead string
	// SeenAt is when the feed first took the item.
	SeenAt time.Time
}

// FeedAlert is a feed that was disabled and whose server's admins have not
// been told yet, with the channel to tell them in ("" when the server has
// none).
type FeedAlert struct {
	Feed Feed
	// Episode identifies this disabling (the poll that disabled it).
	Episode   int64
	ChannelID string
}

// SetFeedChannel makes the new articles of the feed ref names (in
// guildID's scope, see FindFeed) be posted to channelID, or, with an empty
// channelID, stops posting them. Only articles the feed takes from now on
// are posted: for a feed never polled, those after its first poll, which
// is the backlog. Setting the channel a feed already has changes nothing.
// It returns the feed.
func (db *DB) SetFeedChannel(ctx context.Context, guildID, ref, channelID, createdBy string) (*Feed, error) {
	if guildID == "" || guildID == "*" {
		return nil, Errorf(EINVALID, "Only a Discord server's feeds can post to a channel.")
	}
	f, err := db.findFeed(ctx, guildID, ref)
	if err != nil {
		return nil, err
	}
	channelID = strings.TrimSpace(channelID)
	if channelID == "" {
		if _, err := db.db.ExecContext(ctx, `DELETE FROM feed_channels WHERE feed_id = ?`, f.ID); err != nil {
			return nil, fmt.Errorf("set feed channel: %w", err)
		}
		return f, nil
	}
	now := db.Now()
	var since any
	if !f.LastSuccessAt.IsZero() {
		since = now.Unix()
	}
	_, err = db.db.ExecContext(ctx, `INSERT INTO feed_channels(feed_id, guild_id, channel_id, bound_at, since, created_by) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT(feed_id) DO UPDATE SET channel_id = excluded.channel_id, bound_at = excluded.bound_at, since = excluded.since, created_by = excluded.created_by
			WHERE feed_channels.channel_id <> excluded.channel_id`,
		f.ID, f.GuildID, channelID, now.Unix(), since, createdBy)
	if err != nil {
		return nil, fmt.Errorf("set feed channel: %w", err)
	}
	return f, nil
}

// FeedChannels returns the channels of guildID's feeds, by feed id.
func (db *DB) FeedChannels(ctx context.Context, guildID string) (map[int64]FeedChannel, error) {
	list, err := queryAll(ctx, db.db, scanFeedChannel,
		`SELECT feed_id, guild_id, channel_id, bound_at, since, created_by FROM feed_channels WHERE guild_id = ?`, guildID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]FeedChannel, len(list))
	for _, fc := range list {
		out[fc.FeedID] = fc
	}
	return out, nil
}

func scanFeedChannel(r rowScanner) (FeedChannel, error) {
	var fc FeedChannel
	var bound int64
	var since sql.NullInt64
	if err := r.Scan(&fc.FeedID, &fc.GuildID, &fc.ChannelID, &bound, &since, &fc.CreatedBy); err != nil {
		return fc, err
	}
	fc.BoundAt = time.Unix(bound, 0).UTC()
	fc.Since = timeFromNull(since)
	return fc, nil
}

// resolveFeedBaselines sets the start of posting of channel-bound feeds
// that were waiting for their first poll: the second after that poll, whose
// items all carry its time (or after the latest successful poll when no
// item came).
func (db *DB) resolveFeedBaselines(ctx context.Context) error {
	_, err := db.db.ExecContext(ctx, `UPDATE feed_channels SET since = 1 + coalesce(
			(SELECT min(fi.seen_at) FROM feed_items fi WHERE fi.feed_id = feed_channels.feed_id),
			(SELECT f.last_success_at FROM feeds f WHERE f.id = feed_channels.feed_id))
		WHERE since IS NULL AND EXISTS (SELECT 1 FROM feeds f WHERE f.id = feed_channels.feed_id AND f.last_success_at IS NOT NULL)`)
	if err != nil {
		return fmt.Errorf("resolve feed baselines: %w", err)
	}
	return nil
}

// PendingFeedPosts returns the articles that channel-bound feeds took and
// that their channels have not had yet, oldest publication first within a
// channel, at most perChannel per channel (default 10) and limit in all
// (default 100). An article is pending in a channel until a claim on it
// there is posted, failed, or retried maxAttempts times. It never returns
// the backlog of a feed's first poll, nor items taken before the feed got
// its channel.
func (db *DB) PendingFeedPosts(ctx context.Context, perChannel, limit, maxAttempts int) ([]FeedPost, error) {
	if perChannel <= 0 {
		perChannel = 10
	}
	if limit <= 0 {
		limit = 100
	}
	if maxAttempts <= 0 {
		maxAttempts = 3
	}
	if err := db.resolveFeedBaselines(ctx); err != nil {
		return nil, err
	}
	type row struct {
		post        FeedPost
		name, title string
		feedURL     string
	}
	// Rank each channel's pending articles by publication (or first sight)
	// and keep the first perChannel of each, so that a channel with a long
	// queue never holds up the others.
	rows, err := queryAll(ctx, db.db, func(r rowScanner) (row, error) {
		var x row
		var seen int64
		a, err := scanArticle(r, &x.post.FeedID, &x.post.GuildID, &x.post.ChannelID, &seen, &x.name, &x.title, &x.feedURL)
		x.post.Article = a
		x.post.SeenAt = time.Unix(seen, 0).UTC()
		return x, err
	}, `WITH pending AS (
			SELECT fc.channel_id, a.id AS article_id, min(fc.feed_id) AS feed_id, min(fc.guild_id) AS guild_id,
				min(fi.seen_at) AS seen_at, coalesce(a.published_at, min(fi.seen_at)) AS at
			FROM feed_channels fc
			JOIN feed_items fi ON fi.feed_id = fc.feed_id AND fi.seen_at >= fc.since AND fi.article_id IS NOT NULL
			JOIN articles a ON a.id = fi.article_id AND (a.guild_id = '' OR a.guild_id = fc.guild_id)
			WHERE fc.since IS NOT NULL AND NOT EXISTS (SELECT 1 FROM feed_posts p
				WHERE p.channel_id = fc.channel_id AND p.article_id = a.id
					AND NOT ((p.state = 'retry' OR (p.state = 'claimed' AND p.lease_until <= ?)) AND p.attempts < ?))
			GROUP BY fc.channel_id, a.id, a.published_at
		), ranked AS (
			SELECT pending.*, row_number() OVER (PARTITION BY channel_id ORDER BY at, article_id) AS rn FROM pending
		)
		SELECT `+articleColumns+`, r.feed_id, r.guild_id, r.channel_id, r.seen_at, f.name, f.title, f.url
		FROM ranked r JOIN articles a ON a.id = r.article_id JOIN feeds f ON f.id = r.feed_id
		WHERE r.rn <= ?
		ORDER BY r.channel_id, r.rn
		LIMIT ?`, db.Now().Unix(), maxAttempts, perChannel, limit)
	if err != nil {
		return nil, err
	}
	out := make([]FeedPost, 0, len(rows))
	for _, x := range rows {
		p := x.post
		f := Feed{Name: x.name, Title: x.title, URL: x.feedURL}
		p.Outlet = strings.TrimSpace(p.Article.Source)
		if p.Outlet == "" {
			p.Outlet = f.Outlet()
		}
		if p.Lead, err = db.articleLead(ctx, p.Article); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// articleLead returns the first sentence of an article that says
// something (see summarize.Lead), else its first sentence, from its first
// passage, never boilerplate (see readable).
func (db *DB) articleLead(ctx context.Context, a Article) (string, error) {
	var chunk []byte
	err := db.db.QueryRowContext(ctx, `SELECT chunk FROM passages WHERE article_id = ? ORDER BY seq LIMIT 1`, a.ID).Scan(&chunk)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the lead of article %d: %w", a.ID, err)
	}
	body, err := decodeChunk(chunk)
	if err != nil {
		return "", fmt.Errorf("read the lead of article %d: %w", a.ID, err)
	}
	boiler, err := db.boilerplate(ctx)
	if err != nil {
		return "", fmt.Errorf("read the lead of article %d: %w", a.ID, err)
	}
	body = readable(body, &a, boiler)
	if lead := summarize.Lead(body, a.Title); lead != "" {
		return strings.Join(strings.Fields(lead), " "), nil
	}
	for _, sp := range text.Sentences(body) {
		if s := strings.Join(strings.Fields(body[sp.Start:sp.End]), " "); s != "" && text.Fold(s) != text.Fold(a.Title) {
			return s, nil
		}
	}
	return "", nil
}

// ClaimFeedPost records, before anything is posted, that owner is posting
// p.Article to p.ChannelID, under a lease of DefaultFeedPostLease. Exactly
// one caller at a time gets ok for an article and a channel, across
// restarts and processes sharing the database (the row's unique key
// decides, in one statement); a claim is taken again only when it was
// finished as FeedPostRetry, or when its lease ended (its process died),
// up to maxAttempts times in all. The returned post carries the claim's
// id for FinishFeedPost, and its PostKey.
func (db *DB) ClaimFeedPost(ctx context.Context, p FeedPost, owner string, maxAttempts int) (*FeedPost, bool, error) {
	if maxAttempts <= 0 {
		maxAttempts = 3
	}
	now := db.Now()
	var id int64
	err := db.db.QueryRowContext(ctx, `INSERT INTO feed_posts(channel_id, article_id, feed_id, state, owner, claimed_at, lease_until) VALUES (?, ?, ?, 'claimed', ?, ?, ?)
		ON CONFLICT(channel_id, article_id) DO UPDATE SET state = 'claimed', attempts = feed_posts.attempts + 1, owner = excluded.owner,
			claimed_at = excluded.claimed_at, lease_until = excluded.lease_until, error = ''
			WHERE (feed_posts.state = 'retry' OR (feed_posts.state = 'claimed' AND feed_posts.lease_until <= ?)) AND feed_posts.attempts < ?
		RETURNING id`, p.ChannelID, p.Article.ID, nullID(p.FeedID), owner, now.Unix(), now.Add(DefaultFeedPostLease).Unix(), now.Unix(), maxAttempts).Scan(&id)
	if isNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("claim feed post: %w", err)
	}
	p.ID = id
	p.PostKey = fmt.Sprintf("feedpost-%d", id)
	return &p, true, nil
}

// FinishFeedPost records how a claimed post ended: FeedPostPosted (with
// the message's id), FeedPostRetry or FeedPostFailed (with the reason).
func (db *DB) FinishFeedPost(ctx context.Context, id int64, state, messageID, reason string) error {
	var posted any
	if state == FeedPostPosted {
		posted = db.Now().Unix()
	}
	if _, err := db.db.ExecContext(ctx, `UPDATE feed_posts SET state = ?, message_id = ?, error = ?, posted_at = ?, lease_until = 0 WHERE id = ?`,
		state, messageID, reason, posted, id); err != nil {
		return fmt.Errorf("finish feed post: %w", err)
	}
	return nil
}

// FeedPostStates counts a channel's feed posts by state, for tests and
// the operator.
func (db *DB) FeedPostStates(ctx context.Context, channelID string) (map[string]int, error) {
	type count struct {
		state string
		n     int
	}
	list, err := queryAll(ctx, db.db, func(r rowScanner) (count, error) {
		var c count
		return c, r.Scan(&c.state, &c.n)
	}, `SELECT state, count(*) FROM feed_posts WHERE channel_id = ? GROUP BY state`, channelID)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, c := range list {
		out[c.state] = c.n
	}
	return out, nil
}

// PendingFeedAlerts returns the disabled feeds of Discord servers whose
// admins have not been told of this disabling, each with the channel to
// tell them in: the server's alerts channel (SetAlertsChannel), else the
// feed's own channel, else the channel of one of the server's digests.
func (db *DB) PendingFeedAlerts(ctx context.Context) ([]FeedAlert, error) {
	return queryAll(ctx, db.db, func(r rowScanner) (FeedAlert, error) {
		var a FeedAlert
		f, err := scanFeed(scannerWith{r, []any{&a.ChannelID}})
		if err != nil {
			return a, err
		}
		a.Feed = *f
		a.Episode = f.LastPolledAt.Unix()
		if f.LastPolledAt.IsZero() {
			a.Episode = 0
		}
		return a, nil
	}, `SELECT `+feedColumns+`, coalesce(
			(SELECT nullif(g.alerts_channel_id, '') FROM guilds g WHERE g.guild_id = f.guild_id),
			(SELECT fc.channel_id FROM feed_channels fc WHERE fc.feed_id = f.id),
			(SELECT s.channel_id FROM digest_schedules s WHERE s.guild_id = f.guild_id AND s.enabled = 1 ORDER BY s.id LIMIT 1),
			'')
		FROM feeds f WHERE f.disabled_reason <> '' AND f.guild_id <> ''
			AND NOT EXISTS (SELECT 1 FROM feed_alerts x WHERE x.feed_id = f.id AND x.episode = coalesce(f.last_polled_at, 0))
		ORDER BY f.id`)
}

// scannerWith scans a row into the destinations of a scanner, then extra.
type scannerWith struct {
	r     rowScanner
	extra []any
}

func (s scannerWith) Scan(dest ...any) error { return s.r.Scan(append(dest, s.extra...)...) }

// ClaimFeedAlert records, before the admins are told, that this disabling
// of the feed is being announced; only one caller ever gets ok for it.
func (db *DB) ClaimFeedAlert(ctx context.Context, a FeedAlert) (bool, error) {
	var id int64
	err := db.db.QueryRowContext(ctx, `INSERT INTO feed_alerts(feed_id, episode, guild_id, channel_id, state, claimed_at) VALUES (?, ?, ?, ?, 'claimed', ?)
		ON CONFLICT(feed_id, episode) DO NOTHING RETURNING feed_id`,
		a.Feed.ID, a.Episode, a.Feed.GuildID, a.ChannelID, db.Now().Unix()).Scan(&id)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim feed alert: %w", err)
	}
	return true, nil
}

// FinishFeedAlert records how a claimed alert ended: FeedAlertPosted,
// FeedAlertNowhere or FeedAlertFailed (with the reason).
func (db *DB) FinishFeedAlert(ctx context.Context, a FeedAlert, state, reason string) error {
	var posted any
	if state == FeedAlertPosted {
		posted = db.Now().Unix()
	}
	if _, err := db.db.ExecContext(ctx, `UPDATE feed_alerts SET state = ?, error = ?, posted_at = ? WHERE feed_id = ? AND episode = ?`,
		state, reason, posted, a.Feed.ID, a.Episode); err != nil {
		return fmt.Errorf("finish feed alert: %w", err)
	}
	return nil
}

// MarkGuildSeen records that Herald is in the Discord server guildID and
// reports whether it had never been seen before; of several processes
// seeing it at once, exactly one is told it is new.
func (db *DB) MarkGuildSeen(ctx context.Context, guildID string) (bool, error) {
	var id string
	err := db.db.QueryRowContext(ctx, `INSERT INTO guilds(guild_id, first_seen_at) VALUES (?, ?) ON CONFLICT(guild_id) DO NOTHING RETURNING guild_id`,
		guildID, db.Now().Unix()).Scan(&id)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark guild seen: %w", err)
	}
	return true, nil
}

// RecordWelcome records the channel Herald introduced itself in.
func (db *DB) RecordWelcome(ctx context.Context, guildID, channelID string) error {
	if _, err := db.db.ExecContext(ctx, `UPDATE guilds SET welcome_channel_id = ?, welcomed_at = ? WHERE guild_id = ?`,
		channelID, db.Now().Unix(), guildID); err != nil {
		return fmt.Errorf("record welcome: %w", err)
	}
	return nil
}

// SetAlertsChannel makes channelID the channel where Herald tells a
// server's admins about its feeds (a disabled feed); empty falls back to
// the feed's or the digest's channel.
func (db *DB) SetAlertsChannel(ctx context.Context, guildID, channelID string) error {
	if guildID == "" || guildID == "*" {
		return Errorf(EINVALID, "Only a Discord server has an alerts channel.")
	}
	if _, err := db.db.ExecContext(ctx, `INSERT INTO guilds(guild_id, first_seen_at, alerts_channel_id) VALUES (?, ?, ?)
		ON CONFLICT(guild_id) DO UPDATE SET alerts_channel_id = excluded.alerts_channel_id`,
		guildID, db.Now().Unix(), strings.TrimSpace(channelID)); err != nil {
		return fmt.Errorf("set alerts channel: %w", err)
	}
	return nil
}

// AlertsChannel returns the alerts channel set for a server, or "".
func (db *DB) AlertsChannel(ctx context.Context, guildID string) (string, error) {
	var ch string
	err := db.db.QueryRowContext(ctx, `SELECT alerts_channel_id FROM guilds WHERE guild_id = ?`, guildID).Scan(&ch)
	if isNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("alerts channel: %w", err)
	}
	return ch, nil
}
