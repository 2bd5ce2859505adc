-- A feed whose new articles are posted to a Discord channel; one channel per
-- feed. Items the feed took at or after `since` are posted; `since` is NULL
-- while a new feed waits for its first poll, whose items (the backlog) are
-- never posted.
CREATE TABLE feed_channels (
	feed_id    INTEGER PRIMARY KEY REFERENCES feeds(id) ON DELETE CASCADE,
	guild_id   TEXT    NOT NULL,
	channel_id TEXT    NOT NULL,
	bound_at   INTEGER NOT NULL, -- when the feed got this channel
	since      INTEGER,
	created_by TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX feed_channels_guild ON feed_channels(guild_id);
CREATE INDEX feed_items_seen ON feed_items(feed_id, seen_at);

-- One row per article and channel, inserted (claimed) before the article is
-- posted: the unique key is what makes each article posted at most once in a
-- channel, across restarts and between processes.
CREATE TABLE feed_posts (
	id         INTEGER PRIMARY KEY,
	channel_id TEXT    NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	feed_id    INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
	state      TEXT    NOT NULL, -- claimed, posted, retry, failed
	attempts   INTEGER NOT NULL DEFAULT 1,
	owner      TEXT    NOT NULL DEFAULT '',
	message_id TEXT    NOT NULL DEFAULT '',
	error      TEXT    NOT NULL DEFAULT '',
	claimed_at INTEGER NOT NULL,
	posted_at  INTEGER,
	UNIQUE (channel_id, article_id)
);

-- One row per disabling of a feed, inserted (claimed) before the server's
-- admins are told: a feed disabled once is announced once. The episode is
-- the feed's last poll, the one that disabled it (a disabled feed is not
-- polled, so it stays the same until the feed is resumed).
CREATE TABLE feed_alerts (
	feed_id    INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
	episode    INTEGER NOT NULL,
	guild_id   TEXT    NOT NULL,
	channel_id TEXT    NOT NULL DEFAULT '',
	state      TEXT    NOT NULL, -- claimed, posted, nowhere, failed
	error      TEXT    NOT NULL DEFAULT '',
	claimed_at INTEGER NOT NULL,
	posted_at  INTEGER,
	PRIMARY KEY (feed_id, episode)
);

-- The Discord servers Herald has seen (GUILD_CREATE arrives for every server
-- on each connect; only a server not seen before is welcomed), and their
-- settings.
CREATE TABLE guilds (
	guild_id           TEXT    PRIMARY KEY,
	first_seen_at      INTEGER NOT NULL,
	welcome_channel_id TEXT    NOT NULL DEFAULT '',
	welcomed_at        INTEGER,
	alerts_channel_id  TEXT    NOT NULL DEFAULT ''
);
